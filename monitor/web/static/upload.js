// Drag and drop onto the upload box, and a progress bar while a large file
// goes up. Without this script the plain form still works.
(function () {
  var form = document.getElementById("upload-form");
  if (!form) return;
  var drop = document.getElementById("drop");
  var input = document.getElementById("file");
  var text = document.getElementById("drop-text");
  var bar = document.getElementById("progress");
  var barText = document.getElementById("progress-text");
  var button = document.getElementById("upload-btn");

  function show() {
    if (input.files && input.files.length) {
      var f = input.files[0];
      var size = f.size < 1048576 ? Math.max(1, Math.round(f.size / 1024)) + " KB" : (f.size / 1048576).toFixed(1) + " MB";
      text.textContent = "已选择：" + f.name + "（" + size + "）";
    }
  }
  input.addEventListener("change", show);
  ["dragenter", "dragover"].forEach(function (ev) {
    drop.addEventListener(ev, function (e) { e.preventDefault(); drop.classList.add("over"); });
  });
  ["dragleave", "drop"].forEach(function (ev) {
    drop.addEventListener(ev, function (e) { e.preventDefault(); drop.classList.remove("over"); });
  });
  drop.addEventListener("drop", function (e) {
    if (e.dataTransfer && e.dataTransfer.files.length) {
      input.files = e.dataTransfer.files;
      show();
    }
  });

  form.addEventListener("submit", function (e) {
    if (!window.XMLHttpRequest || !window.FormData || !input.files.length) return;
    e.preventDefault();
    var xhr = new XMLHttpRequest();
    xhr.open("POST", form.action);
    button.disabled = true;
    bar.hidden = false;
    barText.hidden = false;
    barText.textContent = "正在上传…";
    xhr.upload.addEventListener("progress", function (ev) {
      if (ev.lengthComputable) {
        var p = Math.round(ev.loaded * 100 / ev.total);
        bar.value = p;
        barText.textContent = p < 100 ? "正在上传 " + p + "%" : "上传完成，正在校验（大文件需要一些时间）…";
      }
    });
    xhr.addEventListener("load", function () {
      if (xhr.responseURL && xhr.responseURL !== location.href && xhr.status < 400) {
        location.href = xhr.responseURL;
        return;
      }
      document.open();
      document.write(xhr.responseText);
      document.close();
    });
    xhr.addEventListener("error", function () {
      button.disabled = false;
      barText.textContent = "上传失败：网络中断，请重试。";
    });
    xhr.send(new FormData(form));
  });
})();
