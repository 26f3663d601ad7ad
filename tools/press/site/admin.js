// The press's Markdown format: reads the Pelican-style header that `press new` writes ("Title: …"
// lines, then a blank line) and YAML front matter; writes YAML front matter with every value
// double-quoted, so that no title is ever read back as a number, a date or a boolean.
(function () {
  "use strict";
  var ORDER = ["title", "authors", "summary", "tags", "lang", "image", "image_alt", "audio"];
  var LISTS = { authors: true, tags: true };

  function split(value) {
    var text = String(value || "");
    return text.split(text.indexOf(";") >= 0 ? ";" : ",").map(function (s) { return s.trim(); }).filter(Boolean);
  }

  function scalar(text) {
    var s = text.trim();
    if (s.charAt(0) === '"') return JSON.parse(s);
    if (s.charAt(0) === "'") return s.slice(1, -1).replace(/''/g, "'");
    return s;
  }

  function fromHeader(lines) {
    var data = {}, key = null, i = 0;
    for (; i < lines.length; i++) {
      var line = lines[i], m = /^ {0,3}([A-Za-z0-9_-]+):\s*(.*)$/.exec(line);
      if (!line.trim()) break;
      if (m) {
        key = m[1].toLowerCase();
        data[key] = data[key] ? data[key] + "\n" + m[2].trim() : m[2].trim();
      } else if (key && /^ {4,}/.test(line)) {
        data[key] += "\n" + line.trim();
      } else break;
    }
    if (!key) return { body: lines.join("\n") };
    if (data.author && !data.authors) { data.authors = data.author; delete data.author; }
    Object.keys(LISTS).forEach(function (k) { if (k in data) data[k] = split(data[k]); });
    data.body = lines.slice(i).join("\n").replace(/^\n+/, "");
    return data;
  }

  function fromYaml(lines) {
    var data = {}, i = 0;
    while (i < lines.length) {
      var line = lines[i];
      if (!line.trim() || /^\s*#/.test(line)) { i++; continue; }
      var m = /^([A-Za-z0-9_-]+):(?:[ \t]+(.*))?$/.exec(line);
      if (!m) throw new Error("the desk cannot read front matter line " + (i + 2) + ": " + line + " — edit this file by hand");
      var key = m[1], rest = (m[2] || "").trim(), j = i + 1;
      if (rest === "") {
        var items = [];
        for (; j < lines.length && /^\s*-(\s|$)/.test(lines[j]); j++) items.push(scalar(lines[j].replace(/^\s*-\s?/, "")));
        data[key] = items;
      } else if (rest.charAt(0) === "|" || rest.charAt(0) === ">") {
        var block = [];
        for (; j < lines.length && (/^\s/.test(lines[j]) || !lines[j].trim()); j++) block.push(lines[j]);
        var indent = Math.min.apply(null, block.filter(function (l) { return l.trim(); }).map(function (l) { return /^\s*/.exec(l)[0].length; }).concat([1000]));
        var text = block.map(function (l) { return l.slice(indent); }).join(rest.charAt(0) === ">" ? " " : "\n");
        data[key] = rest.indexOf("-") > 0 ? text.replace(/\s+$/, "") : text.replace(/\s+$/, "") + "\n";
      } else if (rest.charAt(0) === "[") {
        try { data[key] = JSON.parse(rest); }
        catch (e) { data[key] = rest.slice(1, -1).split(",").map(scalar).filter(function (s) { return s !== ""; }); }
      } else {
        var more = [rest];
        for (; j < lines.length && /^\s+\S/.test(lines[j]); j++) more.push(lines[j].trim());
        data[key] = scalar(more.join(" "));
      }
      i = j;
    }
    return data;
  }

  // What the press's YAML reader refuses in a value: control characters, line and paragraph
  // separators, bidirectional overrides. The desk writes only what the press reads.
  var CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

  function clean(value) {
    return String(value).replace(/\r\n?|[\u2028\u2029]/g, "\n").replace(/\t/g, " ").replace(CONTROL, "");
  }

  function quote(value) { return JSON.stringify(clean(value)); }

  // A value of several lines is a YAML block: quoted values are one line in press records.
  function field(key, value) {
    var text = clean(value);
    if (text.indexOf("\n") < 0) return [key + ": " + JSON.stringify(text)];
    var lines = text.split("\n").map(function (line) { return line.trim(); });
    while (lines.length && !lines[lines.length - 1]) lines.pop();
    while (lines.length && !lines[0]) lines.shift();
    if (lines.length <= 1) return [key + ": " + JSON.stringify(lines.join(""))];
    return [key + ": |-"].concat(lines.map(function (line) { return line ? "  " + line : ""; }));
  }

  CMS.registerCustomFormat("press-markdown", "md", {
    fromFile: function (content) {
      var lines = String(content).replace(/^\ufeff/, "").replace(/\r\n/g, "\n").split("\n");
      if (!/^---\s*$/.test(lines[0])) return fromHeader(lines);
      var end = -1;
      for (var k = 1; k < lines.length; k++) if (/^(---|\.\.\.)\s*$/.test(lines[k])) { end = k; break; }
      if (end < 0) throw new Error("the front matter has no closing '---' line");
      var data = fromYaml(lines.slice(1, end));
      data.body = lines.slice(end + 1).join("\n");
      return data;
    },
    toFile: function (data) {
      var keys = ORDER.concat(Object.keys(data).filter(function (k) { return ORDER.indexOf(k) < 0 && k !== "body"; }).sort());
      var out = ["---"];
      keys.forEach(function (key) {
        var value = data[key];
        if (value === undefined || value === null || value === "") return;
        if (Array.isArray(value)) {
          var items = value.map(function (v) { return clean(v).replace(/\n/g, " ").trim(); }).filter(Boolean);
          if (!items.length) return;
          out.push(key + ":");
          items.forEach(function (item) { out.push("  - " + quote(item)); });
        } else out.push.apply(out, field(key, value));
      });
      out.push("---");
      var body = String(data.body || "");
      return out.join("\n") + "\n" + body + (body && body.slice(-1) !== "\n" ? "\n" : "");
    },
  });
})();

// The preview pane of the writing desk: the draft as the site will show it, in the press's own
// stylesheet, with a notice that it is not published. `h` and `createClass` are Decap's globals.
(function () {
  "use strict";
  CMS.registerPreviewStyle(PRESS_STYLESHEET);
  CMS.registerPreviewStyle(
    ".draft-notice{border:2px dashed currentColor;padding:.5rem 1rem;margin:0 3.5rem 1rem 0}" +  // clear of Decap's buttons
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
