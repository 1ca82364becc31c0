// The paper form's "In" button opens the browser's print dialog (the sheet alone on A4:
// paper.css). A file, not an inline handler: the pages' Content-Security-Policy allows no other.
document.addEventListener("click", (event) => {
  if (event.target.closest("[data-print]")) window.print();
});
