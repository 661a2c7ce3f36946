// Reads the chosen holiday file into the form's text area (UTF-8), so the upload needs no multipart handling.
document.getElementById("calendar-file").addEventListener("change", function (ev) {
  var file = ev.target.files[0];
  if (!file) return;
  var reader = new FileReader();
  reader.onload = function () { document.getElementById("calendar-csv").value = reader.result; };
  reader.readAsText(file, "utf-8");
});
