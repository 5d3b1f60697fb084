// The language toggle: keep the page and its query, switch `lang`.
export function setupLanguageToggle() {
  const button = document.getElementById("lang-toggle");
  if (!button) return;
  button.addEventListener("click", () => {
    const url = new URL(location.href);
    url.searchParams.set("lang", button.dataset.lang);
    location.assign(url);
  });
}
setupLanguageToggle();
