// Click a column header to sort the table by it; a second click reverses. Cells sort by the
// first number they hold, in one unit (ns, µs, ms, s; "1,234" and "6.2x" read as numbers;
// "pays: 6.2x [5.9, 6.5]" reads 6.2), else as text; empty and "n/a" cells go last.
(function () {
  var scale = {"ns": 1, "µs": 1e3, "us": 1e3, "ms": 1e6, "s": 1e9};
  function key(text) {
    var m = /(-?\d[\d,]*(?:\.\d+)?(?:e[+-]?\d+)?)\s*(?:(ns|µs|us|ms|s)(?![A-Za-z]))?/.exec(text);
    if (!m) return null;
    return parseFloat(m[1].replace(/,/g, "")) * (m[2] ? scale[m[2]] : 1);
  }
  function sortBy(table, col, th) {
    var body = table.tBodies[0];
    var asc = th.getAttribute("aria-sort") !== "ascending";
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var ta = a.cells[col] ? a.cells[col].textContent.trim() : "";
      var tb = b.cells[col] ? b.cells[col].textContent.trim() : "";
      var ka = key(ta), kb = key(tb), d;
      if (ka === null && kb === null) d = ta.localeCompare(tb);
      else if (ka === null) return 1;
      else if (kb === null) return -1;
      else d = ka - kb;
      return asc ? d : -d;
    });
    rows.forEach(function (r) { body.appendChild(r); });
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (h) {
      h.removeAttribute("aria-sort");
    });
    th.setAttribute("aria-sort", asc ? "ascending" : "descending");
  }
  document.querySelectorAll("table.sortable").forEach(function (table) {
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, col) {
      th.title = "sort by this column";
      th.addEventListener("click", function () { sortBy(table, col, th); });
    });
  });
})();
