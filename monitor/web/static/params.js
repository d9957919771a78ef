// Rows of the parameter tables: "添加一行" copies the blank last row,
// "删除" removes a row (the last one left is emptied instead). Without this
// script a row is removed by emptying its cells.
(function () {
  document.addEventListener("click", function (e) {
    var add = e.target.closest("button.add-row");
    if (add) {
      var body = document.getElementById(add.dataset.table).tBodies[0];
      var row = body.rows[body.rows.length - 1].cloneNode(true);
      row.querySelectorAll("input").forEach(function (i) { i.value = ""; });
      body.appendChild(row);
      row.querySelector("input").focus();
      return;
    }
    var del = e.target.closest("button.remove-row");
    if (del) {
      var tr = del.closest("tr");
      if (tr.parentNode.rows.length > 1) tr.remove();
      else tr.querySelectorAll("input").forEach(function (i) { i.value = ""; });
    }
  });
})();
