// A filter box over a facet's values, the top ones and its "more" list (service and guideline
// facets): values matching what is typed stay listed, by substring or by trigram similarity
// (pg_trgm's measure, so that "gabapentn" keeps "gabapentin"), and the "more" list opens when it
// holds one. Only the values already on the page; selected ones always stay.
(function () {
  "use strict";
  var THRESHOLD = 0.3; // pg_trgm.similarity_threshold's default

  function trigrams(word) {
    var padded = "  " + word + " ";
    var set = {};
    for (var i = 0; i + 3 <= padded.length; i++) set[padded.slice(i, i + 3)] = true;
    return set;
  }

  function similarity(a, b) {
    var ta = trigrams(a), tb = trigrams(b), shared = 0, total = 0, key;
    for (key in ta) { total++; if (tb[key]) shared++; }
    for (key in tb) { if (!ta[key]) total++; }
    return total ? shared / total : 0;
  }

  function words(text) {
    return text.toLowerCase().split(/[^\p{L}\p{N}]+/u).filter(Boolean);
  }

  // Every word typed must be found in the value: as a substring, or close to one of its words.
  function matches(query, label) {
    var text = label.toLowerCase();
    var own = words(label);
    return words(query).every(function (word) {
      if (text.indexOf(word) !== -1) return true;
      return own.some(function (candidate) { return similarity(word, candidate) >= THRESHOLD; });
    });
  }

  document.querySelectorAll(".facet-filter").forEach(function (box) {
    var input = box.querySelector("input");
    var status = box.querySelector(".facet-filter-status");
    var lists = input.getAttribute("aria-controls").split(" ").map(function (id) {
      return document.getElementById(id);
    }).filter(Boolean);
    if (!lists.length) return;
    var rows = [];
    lists.forEach(function (list) {
      rows = rows.concat(Array.prototype.slice.call(list.querySelectorAll("li")));
    });
    box.hidden = false;

    function apply() {
      var query = input.value.trim();
      var shown = 0;
      rows.forEach(function (row) {
        var label = row.querySelector(".facet-label").textContent;
        var checked = row.querySelector("input[type=checkbox]").checked;
        var keep = !query || checked || matches(query, label);
        row.hidden = !keep;
        if (keep) shown++;
        var more = row.closest("details");
        if (keep && query && more && !checked) more.open = true; // a match the reader must see
      });
      status.textContent = query ? shown + " of " + rows.length + " shown" : "";
    }

    input.addEventListener("input", apply);
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter") event.preventDefault(); // filtering is not applying the filters
      if (event.key === "Escape" && input.value) {
        event.preventDefault();
        input.value = "";
        apply();
      }
    });
  });
})();
