// Similar decisions under each item of a permalink page: the plain link (which works without
// JavaScript) is replaced by the five nearest decisions, fetched as an HTML fragment
// (determinations/views_similar.py). On any failure the link stays.
(function () {
  "use strict";
  var boxes = document.querySelectorAll("[data-similar-fragment]");
  Array.prototype.forEach.call(boxes, function (box) {
    fetch(box.getAttribute("data-similar-fragment"), { headers: { Accept: "text/html" } })
      .then(function (response) {
        if (!response.ok) throw new Error(response.status);
        return response.text();
      })
      .then(function (html) {
        var parsed = new DOMParser().parseFromString(html, "text/html");
        box.replaceChildren.apply(box, Array.prototype.slice.call(parsed.body.childNodes));
        box.setAttribute("data-similar-loaded", "");
      })
      .catch(function () {});
  });
})();
