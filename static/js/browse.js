// Progressive enhancement for the browse page; everything works without it.
(function () {
  "use strict";
  var form = document.querySelector("form.browse");
  if (!form) return;
  document.documentElement.classList.add("js");
  var KEY = "browse-focus";

  // A facet checkbox or the sort choice applies at once (the filters say so), and focus returns
  // to the same control after the page reloads, so keyboard users keep their place.
  form.addEventListener("change", function (event) {
    var target = event.target;
    if (!target.matches('.facet input[type="checkbox"], #sort')) return;
    try {
      sessionStorage.setItem(KEY, target.id || target.name + "=" + target.value);
    } catch (e) { /* storage may be disabled: focus simply starts at the top */ }
    form.requestSubmit();
  });

  var refine = document.getElementById("filters");
  var remembered = null;
  try {
    remembered = sessionStorage.getItem(KEY);
    sessionStorage.removeItem(KEY);
  } catch (e) { /* ignore */ }
  if (remembered) {
    var control = document.getElementById(remembered);
    if (!control) {
      var parts = remembered.split("=");
      var name = parts.shift();
      var value = parts.join("=");
      form.querySelectorAll('.facet input[name="' + CSS.escape(name) + '"]').forEach(function (el) {
        if (el.value === value) control = el;
      });
    }
    if (control) {
      var more = control.closest("details.more");
      if (more) more.open = true;
      control.focus();
      return; // the reader is working in the filters: leave them open
    }
  }
  // On a phone the filters start folded so the results come first.
  if (refine && window.matchMedia("(max-width: 48rem)").matches) refine.open = false;
})();
