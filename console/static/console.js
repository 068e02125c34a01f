// The console's only script: fold and unfold justification trees, follow an impact job, size the impact report
// to its content. Pages work without it.
document.addEventListener("click", function (event) {
  var button = event.target.closest("[data-deplier], [data-replier]");
  if (!button) return;
  var open = button.hasAttribute("data-deplier");
  var tree = document.getElementById("arbre-" + (button.getAttribute("data-deplier") || button.getAttribute("data-replier")));
  if (tree) tree.querySelectorAll("details").forEach(function (d) { d.open = open; });
});

(function follow() {
  var job = document.getElementById("travail");
  if (!job || ["en_attente", "en_cours"].indexOf(job.dataset.etat) < 0) return;
  var id = job.dataset.travail;
  function poll() {
    fetch("/api/v1/impact/" + encodeURIComponent(id), {credentials: "same-origin"})
      .then(function (r) { return r.json(); })
      .then(function (state) {
        var bar = document.getElementById("progression");
        if (bar) { bar.max = state.total || 1; bar.value = state.fait; }
        var count = document.getElementById("compte");
        if (count) count.textContent = state.fait + " / " + state.total;
        if (state.etat === "termine" || state.etat === "echec") window.location.reload();
        else setTimeout(poll, 700);
      })
      .catch(function () { setTimeout(poll, 2000); });
  }
  setTimeout(poll, 500);
})();

(function fullHeight() {
  // The impact report's frame as tall as the report: the page scrolls, never a short frame inside it.
  var frame = document.getElementById("rapport");
  if (!frame) return;
  function fit() {
    try {
      var doc = frame.contentDocument;
      if (doc && doc.documentElement) frame.style.height = (doc.documentElement.scrollHeight + 4) + "px";
    } catch (e) { /* another origin: the frame keeps its height */ }
  }
  frame.addEventListener("load", function () {
    fit();
    if (window.ResizeObserver && frame.contentDocument) new ResizeObserver(fit).observe(frame.contentDocument.body);
  });
  window.addEventListener("resize", fit);
})();

document.addEventListener("change", function (event) {
  // Choosing a benefit claimed updates the form to what its rules read (the server draws it).
  var name = event.target.getAttribute("name") || "";
  var refresh = document.getElementById("actualiser");
  if (refresh && /^demandes\[\d+\]\.prestation$/.test(name)) refresh.click();
});

document.addEventListener("change", function (event) {
  // The name of the file chosen, beside the French button that hides the browser's own.
  var input = event.target;
  if (input.type !== "file") return;
  var shown = document.querySelector(".nom-fichier[data-pour='" + input.id + "']");
  if (shown) shown.textContent = input.files.length ? input.files[0].name : "aucun fichier choisi";
});
