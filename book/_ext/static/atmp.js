/* Advanced Therapies: small fixes and additions to the book theme (added by atmp_book.py). */
(function () {
  "use strict";

  /* 1. Sidebar toggles on phones and tablets (pydata-sphinx-theme#2451).
   * pydata-sphinx-theme 0.17 and sphinx-book-theme each render a `.primary-toggle` (and a
   * `.secondary-toggle`); both themes attach their handlers to the FIRST one in the document,
   * the pydata header button, while the one a reader sees and taps is the book theme's button
   * in the article header. Forward a click on any later toggle to the first one, so the
   * themes' own code runs: the drawer opens below 992 px, the sidebar collapses above. */
  function forwardToggles(selector) {
    const toggles = document.querySelectorAll(selector);
    const first = toggles[0];
    toggles.forEach((btn, i) => {
      if (i === 0) return;
      btn.addEventListener("click", (event) => {
        event.preventDefault();
        event.stopPropagation();
        first.click();
      });
    });
  }

  /* 2. Figures enlarge on click: each figure's image is a link to the full-resolution PNG
   * (works without JavaScript); with JavaScript the link opens it in a full-screen dialog,
   * closed by a click, the close button or Escape. */
  function enlargeableFigures() {
    const images = document.querySelectorAll("article figure img, main figure img");
    if (!images.length) return;
    const dialog = document.createElement("dialog");
    dialog.className = "atmp-lightbox";
    dialog.setAttribute("aria-label", "Enlarged figure");
    dialog.innerHTML = '<button type="button" class="atmp-lightbox-close" aria-label="Close">' +
      "×</button><img alt=\"\">";
    document.body.appendChild(dialog);
    const big = dialog.querySelector("img");
    dialog.addEventListener("click", () => dialog.close());
    dialog.addEventListener("keydown", (event) => {
      if (event.key === "Escape") { event.preventDefault(); dialog.close(); }
    });
    images.forEach((img) => {
      if (img.closest("a")) return;
      const link = document.createElement("a");
      link.href = img.currentSrc || img.src;
      link.className = "atmp-enlarge";
      link.title = "Enlarge the figure";
      img.parentNode.insertBefore(link, img);
      link.appendChild(img);
      link.addEventListener("click", (event) => {
        event.preventDefault();
        big.src = link.href;
        big.alt = img.alt;
        dialog.showModal();
      });
    });
  }

  function init() {
    forwardToggles(".primary-toggle");
    forwardToggles(".secondary-toggle");
    enlargeableFigures();
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
