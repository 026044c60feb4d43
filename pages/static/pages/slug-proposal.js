/*
 * The editor's slug field: while Wagtail keeps the slug in step with the title (a page not yet
 * published), a Japanese title gets the romanised slug the server proposes (pages.slugs), in place
 * of the Japanese one Wagtail would write. A slug the editor typed is left alone. Without this
 * script the server makes the same proposal when the page is saved (pages.forms).
 */
(function () {
  "use strict";
  var script = document.currentScript;
  var JAPANESE = /[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff\uff66-\uff9f]/;

  function setUp() {
    var title = document.getElementById("id_title");
    var slug = document.getElementById("id_slug");
    if (!title || !slug || !script) return;
    var synced = (title.getAttribute("data-w-sync-target-value") || "").indexOf("#id_slug") !== -1;
    if (!synced) return; // a published page: its URL stays as it is
    var lastProposal = null;
    var timer = null;

    function replaceable() {
      var value = slug.value.trim();
      return value === "" || value === lastProposal || JAPANESE.test(value) || /[^\x00-\x7f]/.test(value);
    }

    function propose() {
      if (!JAPANESE.test(title.value) || !replaceable()) return;
      var url = script.dataset.url + "?title=" + encodeURIComponent(title.value);
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (data) {
          if (data && data.slug && replaceable()) {
            slug.value = data.slug;
            lastProposal = data.slug;
          }
        })
        .catch(function () { /* the server proposes on save */ });
    }

    function later() {
      window.clearTimeout(timer);
      timer = window.setTimeout(propose, 350);
    }
    title.addEventListener("input", later);
    title.addEventListener("change", later);
    slug.addEventListener("blur", later);
    propose();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUp);
  } else {
    setUp();
  }
})();
