/* Search inside an offline pack, from file:// with no network.
   The index is SHELF_PACK_INDEX, defined by search-index.js (a script,
   since browsers refuse fetch() from file://). Without JavaScript the form
   stays hidden and the pages' own links do the work. Results are built
   with DOM calls, never as HTML, so an item's text cannot become markup. */
(function () {
  "use strict";
  var form = document.getElementById("pack-search");
  if (!form || typeof SHELF_PACK_INDEX === "undefined") return;
  var input = document.getElementById("pack-q");
  var status = document.getElementById("pack-status");
  var results = document.getElementById("pack-results");
  var all = document.getElementById("pack-all");

  // Case, accents and Arabic diacritics (harakat, tatweel) aside, and the
  // Arabic letter variants people type for each other.
  function fold(text) {
    return text.normalize("NFKD").toLowerCase()
      .replace(/[\u0300-\u036f\u064b-\u065f\u0670\u0640]/g, "")
      .replace(/[\u0622\u0623\u0625]/g, "\u0627")
      .replace(/\u0629/g, "\u0647").replace(/\u0649/g, "\u064a");
  }
  var items = SHELF_PACK_INDEX.map(function (item) {
    // The summary's start (s) and its rest (x) join without a space.
    return { item: item, text: fold(item.t + " " + item.s + item.x) };
  });

  function show(query) {
    var words = fold(query).split(/[\s,.;:!?()"'«»،؛。，、]+/).filter(Boolean);
    results.textContent = "";
    if (!words.length) {
      status.textContent = "";
      all.hidden = false;
      return;
    }
    var found = items.filter(function (entry) {
      return words.every(function (word) { return entry.text.indexOf(word) !== -1; });
    });
    found.forEach(function (entry) {
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = entry.item.u;
      a.textContent = entry.item.t;
      if (entry.item.l) a.lang = entry.item.l;
      li.appendChild(a);
      if (entry.item.d) {
        var date = document.createElement("span");
        date.className = "pack-date";
        date.textContent = " " + entry.item.d;
        li.appendChild(date);
      }
      if (entry.item.s) {
        var summary = document.createElement("p");
        summary.textContent = entry.item.s + (entry.item.c ? "…" : "");
        if (entry.item.l) summary.lang = entry.item.l;
        li.appendChild(summary);
      }
      results.appendChild(li);
    });
    status.textContent = found.length
      ? form.dataset.found + " " + found.length
      : form.dataset.none;
    all.hidden = true;
  }

  form.hidden = false;
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    show(input.value);
  });
  input.addEventListener("input", function () { show(input.value); });
})();
