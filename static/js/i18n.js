// UI strings come from the server (one table for templates and scripts).
const data = JSON.parse(document.getElementById("strings").textContent);
export const lang = data.lang;
export function t(key) {
  const pair = data.strings[key];
  return pair ? pair[lang] || pair.en : key;
}
