// milkprint pages: charts from the JSON a page embeds (plotly.js, served locally), and small conveniences.
(function () {
  "use strict";
  function draw() {
    if (!window.Plotly) return;
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      var spec = JSON.parse(el.getAttribute("data-chart"));
      var config = Object.assign({ responsive: true, displaylogo: false }, spec.config || {});
      window.Plotly.newPlot(el, spec.data, spec.layout || {}, config);
    });
  }
  // Selects marked data-autosubmit submit their form on change (the form keeps a button for keyboards without JS).
  document.querySelectorAll("select[data-autosubmit]").forEach(function (sel) {
    sel.addEventListener("change", function () { sel.form.submit(); });
  });
  // Forms marked data-confirm ask before they post (approve, new version).
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (e) {
      if (!window.confirm(form.getAttribute("data-confirm"))) e.preventDefault();
    });
  });
  // A file over the service's limit is refused here, at once, rather than after minutes of uploading.
  document.querySelectorAll("input[type=file][data-max-bytes]").forEach(function (input) {
    input.addEventListener("change", function () {
      var max = Number(input.getAttribute("data-max-bytes"));
      var big = Array.prototype.some.call(input.files || [], function (f) { return f.size > max; });
      input.setCustomValidity(big ? input.getAttribute("data-too-large") : "");
      if (big) input.reportValidity();
    });
  });
  // A form that takes a while shows that it is working and cannot be sent twice.
  document.querySelectorAll("form[data-busy]").forEach(function (form) {
    form.addEventListener("submit", function () {
      var b = form.querySelector("button[type=submit]");
      if (b) { b.disabled = true; b.textContent = form.getAttribute("data-busy"); }
      form.setAttribute("aria-busy", "true");
    });
  });
  draw();
})();
