// The preview pane of the writing desk: the draft as the site will show it, in the press's own
// stylesheet, with a notice that it is not published. `h` and `createClass` are Decap's globals.
(function () {
  "use strict";
  CMS.registerPreviewStyle(PRESS_STYLESHEET);
  CMS.registerPreviewStyle(
    ".draft-notice{border:2px dashed currentColor;padding:.5rem 1rem;margin:0 0 1rem}" +
      ".draft-warning{font-weight:700}.lead-image img{max-width:100%;height:auto}",
    { raw: true }
  );

  function text(data, key) {
    var value = data.get(key);
    return value == null ? "" : String(value).trim();
  }

  function items(data, key) {
    var value = data.get(key);
    if (!value) return [];
    if (typeof value === "string") value = value.split(",");
    else if (value.toJS) value = value.toJS();
    return value.map(function (item) { return String(item).trim(); }).filter(Boolean);
  }

  var ArticlePreview = createClass({
    componentDidMount: function () { this.label(); },
    componentDidUpdate: function () { this.label(); },
    // The preview is its own document: give it a language and a title, as every page of the site has.
    label: function () {
      var doc = this.props.document;
      if (!doc) return;
      var data = this.props.entry.get("data");
      doc.documentElement.lang = text(data, "lang") || "en";
      doc.title = "Preview: " + (text(data, "title") || "untitled draft");
    },
    render: function () {
      var data = this.props.entry.get("data");
      var name = this.props.collection.get("name");
      var assembly = PRESS_ASSEMBLIES[name] || name;
      var title = text(data, "title");
      var authors = items(data, "authors");
      var tags = items(data, "tags");
      var image = text(data, "image");
      var alt = text(data, "image_alt");
      var asset = image ? this.props.getAsset(image) : null;
      return h("main", { id: "content", className: "content" },
        h("article", { className: "article", lang: text(data, "lang") || "en" },
          h("p", { className: "draft-notice", role: "note" },
            "Draft — not published. It appears on the site only after " + assembly +
            " votes at a meeting to publish exactly this text."),
          h("header", {},
            h("p", { className: "kicker" }, assembly),
            h("h1", {}, title || "Untitled draft"),
            authors.length ? h("p", { className: "byline" }, "By " + authors.join(", ")) : null),
          text(data, "summary") ? h("p", { className: "lede" }, text(data, "summary")) : null,
          asset ? h("figure", { className: "lead-image" },
            h("img", { src: asset.toString(), alt: alt }),
            alt ? null : h("figcaption", { className: "draft-warning" },
              "Describe this picture in “Lead image description”, for readers who cannot see it.")) : null,
          h("div", { className: "body" }, this.props.widgetFor("body")),
          tags.length ? h("p", { className: "tags" }, "Tags: " + tags.join(", ")) : null));
    }
  });

  Object.keys(PRESS_ASSEMBLIES).forEach(function (name) {
    CMS.registerPreviewTemplate(name, ArticlePreview);
  });
})();
