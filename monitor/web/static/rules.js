// The rule editor: checks the rules as the administrator types (POST
// /rules/check answers the compile problems with their line and column and
// the examples that fail), jumps to a problem when it is clicked, and shows
// where the cursor is. Without this script the form still previews and
// saves, and the server shows the same problems.
(function () {
  var form = document.getElementById("rules-form");
  var src = document.getElementById("source");
  var out = document.getElementById("check-result");
  if (!form || !src || !out) return;
  var csrf = form.querySelector("input[name=csrf]").value;
  var timer = null, seq = 0;

  var cursor = document.createElement("p");
  cursor.className = "hint cursor-pos";
  src.parentNode.appendChild(cursor);
  function where() {
    var before = src.value.slice(0, src.selectionStart).split("\n");
    cursor.textContent = "光标：第 " + before.length + " 行第 " + (before[before.length - 1].length + 1) + " 列";
  }
  ["keyup", "click", "focus"].forEach(function (ev) { src.addEventListener(ev, where); });

  function goTo(line, column) {
    var lines = src.value.split("\n"), pos = 0;
    for (var i = 0; i < line - 1 && i < lines.length; i++) pos += lines[i].length + 1;
    pos += Math.max(0, (column || 1) - 1);
    src.focus();
    src.setSelectionRange(pos, Math.min(src.value.length, pos + 1));
    var lh = parseFloat(getComputedStyle(src).lineHeight) || 18;
    src.scrollTop = Math.max(0, (line - 5) * lh);
    where();
  }
  out.addEventListener("click", function (e) {
    var a = e.target.closest("a.goto");
    if (!a) return;
    e.preventDefault();
    goTo(+a.dataset.line, +a.dataset.column);
  });

  function item(text, line, column) {
    var li = document.createElement("li");
    if (line) {
      var a = document.createElement("a");
      a.href = "#source";
      a.className = "goto";
      a.dataset.line = line;
      a.dataset.column = column || 0;
      a.textContent = "第 " + line + " 行" + (column ? "第 " + column + " 列" : "");
      li.appendChild(a);
      li.appendChild(document.createTextNode("："));
    }
    li.appendChild(document.createTextNode(text));
    return li;
  }
  function box(cls, title, items) {
    var div = document.createElement("div");
    div.className = cls;
    var strong = document.createElement("strong");
    strong.textContent = title;
    div.appendChild(strong);
    if (items.length) {
      var ul = document.createElement("ul");
      ul.className = "problems";
      items.forEach(function (li) { ul.appendChild(li); });
      div.appendChild(ul);
    }
    return div;
  }
  function show(res) {
    out.textContent = "";
    if (res.problems && res.problems.length) {
      out.appendChild(box("alert", "规则无法编译（" + res.problems.length + " 处）：", res.problems.map(function (p) { return item(p.message, p.line, p.column); })));
    } else if (res.example_failures && res.example_failures.length) {
      out.appendChild(box("note", "编译通过，但有示例未通过（不能保存）：", res.example_failures.map(function (m) { return item(m); })));
    } else {
      out.appendChild(box("ok", "编译通过：" + res.rules + " 条规则，示例全部通过。", []));
    }
  }
  function check() {
    var mine = ++seq;
    var body = new URLSearchParams();
    body.set("csrf", csrf);
    body.set("source", src.value);
    fetch(form.dataset.check, { method: "POST", body: body, credentials: "same-origin" })
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
      .then(function (res) { if (mine === seq) show(res); })
      .catch(function () {
        if (mine !== seq) return;
        out.textContent = "";
        out.appendChild(box("note", "暂时无法检查（登录可能已过期），保存时服务器会再检查。", []));
      });
  }
  src.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(check, 600);
  });
  // Tab inserts two spaces rather than leaving the editor.
  src.addEventListener("keydown", function (e) {
    if (e.key !== "Tab" || e.shiftKey) return;
    e.preventDefault();
    var s = src.selectionStart;
    src.setRangeText("  ", s, src.selectionEnd, "end");
    src.dispatchEvent(new Event("input"));
  });
})();
