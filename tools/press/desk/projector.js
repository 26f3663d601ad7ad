// The projector polls the desk every second and shows the item being voted and its tally.
// Text goes in as textContent only: nothing from an article is ever parsed as HTML.
(function () {
  "use strict";
  var token = document.body.getAttribute("data-token");
  function set(id, value) {
    var el = document.getElementById(id);
    if (el && el.textContent !== String(value)) { el.textContent = String(value); }
  }
  function show(state) {
    var item = state.item, outcome = item.outcome;
    set("present", state.present === null ? "attendance not taken" : state.present + " present");
    set("quorum", state.quorum);
    set("title", item.title || "Waiting for the first item");
    set("short", item.short);
    set("text", item.text);
    document.getElementById("tally").hidden = !outcome;
    if (outcome) {
      set("yes", outcome.yes); set("no", outcome.no); set("abstain", outcome.abstain);
      set("status", outcome.status);
    }
  }
  function poll() {
    fetch("/state.json?token=" + encodeURIComponent(token), { cache: "no-store" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (state) { if (state) { show(state); } })
      .catch(function () {})
      .then(function () { setTimeout(poll, 1000); });
  }
  setTimeout(poll, 1000);
})();
