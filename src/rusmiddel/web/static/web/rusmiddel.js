/* Rusmiddel: start the DKFDS components (mobile menu, dropdowns, alerts).
   Loaded with `defer` after dkfds.min.js, so the document is parsed when this runs.
   Kept in a file, not inline, so a strict Content-Security-Policy can forbid inline script. */
"use strict";
if (window.DKFDS && typeof window.DKFDS.init === "function") {
  window.DKFDS.init();
}
