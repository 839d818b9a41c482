"use strict";
// The clipd search page: talks only to this clipd's API, keeps the query in the URL, works with the keyboard alone.
const $ = (id) => document.getElementById(id);
const form = $("search"), input = $("q"), results = $("results"), message = $("message");

async function api(url, options) {
  const response = await fetch(url, options);
  const body = await response.json().catch(() => ({}));
  if (response.status === 401) message.textContent = "Run clipd open to sign in.";
  if (!response.ok) throw new Error(body.message || `${response.status} ${response.statusText}`);
  return body;
}

// Signing in the way Jupyter does: `clipd open` opens /#token=…; the token buys an HttpOnly session cookie and
// leaves the address bar (and so the history) at once.
async function signIn() {
  const token = new URLSearchParams(location.hash.slice(1)).get("token");
  if (!token) return;
  history.replaceState(history.state, "", location.pathname + location.search);
  await fetch("/api/session", { method: "POST", headers: { Authorization: `Bearer ${token}` } });
}

function show(rows, what) {
  results.replaceChildren(...rows.map((row) => {
    const name = row.path.split("/").pop();
    const figure = document.createElement("figure");
    const link = document.createElement("a");
    link.href = `/api/photos/${row.id}/file`;
    link.target = "_blank";
    link.title = row.path;
    const img = document.createElement("img");
    img.src = `${row.thumbnail}?size=256`;
    img.alt = name;
    img.loading = "lazy";
    link.append(img);
    const caption = document.createElement("figcaption");
    const label = document.createElement("span");
    label.textContent = `${row.score.toFixed(3)} · ${name}`;
    const more = document.createElement("button");
    more.type = "button";
    more.textContent = "Similar";
    more.title = "More like this";
    more.setAttribute("aria-label", `More like this: ${name}`);
    more.addEventListener("click", () => run({ similar: row.id }));
    caption.append(label, more);
    figure.append(link, caption);
    return figure;
  }));
  message.textContent = rows.length ? `${rows.length} photos ${what}` : `nothing found ${what}`;
}

// The filter controls as API parameters: "until June" is everything before July.
function filters() {
  const f = {};
  if ($("after").value) f.after = $("after").value;
  if ($("until").value) {
    const [y, m] = $("until").value.split("-").map(Number);
    f.before = m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, "0")}`;
  }
  if ($("camera").value) f.camera = $("camera").value;
  return f;
}

async function run(params, push = true) {
  if (push) history.pushState(params, "", "?" + new URLSearchParams(params));
  message.textContent = "searching…";
  const f = new URLSearchParams(filters()).toString();
  try {
    if (params.q) {
      input.value = params.q;
      show(await api(`/api/search?top=60&q=${encodeURIComponent(params.q)}&${f}`), `for “${params.q}”`);
    } else if (f) {
      show(await api(`/api/search?top=60&${f}`), "matching the filters, newest first");
    } else if (params.similar) {
      show(await api(`/api/similar/${encodeURIComponent(params.similar)}?top=60`), "like that one");
    }
  } catch (e) {
    message.textContent = e.message;
  }
}

async function searchByImage(file) {
  message.textContent = `searching by ${file.name}…`;
  try {
    show(await api("/api/search?top=60", { method: "POST", body: file,
      headers: { "Content-Type": file.type || "application/octet-stream" } }), `like ${file.name}`);
  } catch (e) {
    message.textContent = e.message;
  }
}

form.addEventListener("submit", (e) => {
  e.preventDefault();
  if (input.value.trim() || Object.keys(filters()).length) run({ q: input.value.trim() });
});
for (const id of ["after", "until", "camera"]) {
  $(id).addEventListener("change", () => run({ q: input.value.trim() }));
}

async function loadFacets() {
  try {
    const facets = await api("/api/facets");
    for (const camera of facets.cameras) {
      const option = document.createElement("option");
      option.value = camera.name;
      option.textContent = `${camera.name} (${camera.count})`;
      $("camera").append(option);
    }
    if (facets.first_taken) $("after").min = $("until").min = facets.first_taken.slice(0, 7);
    if (facets.last_taken) $("after").max = $("until").max = facets.last_taken.slice(0, 7);
  } catch (e) {
    // the filters still work without the lists
  }
}
$("image").addEventListener("change", (e) => e.target.files[0] && searchByImage(e.target.files[0]));
document.addEventListener("dragover", (e) => { e.preventDefault(); document.body.classList.add("dropping"); });
document.addEventListener("dragleave", () => document.body.classList.remove("dropping"));
document.addEventListener("drop", (e) => {
  e.preventDefault();
  document.body.classList.remove("dropping");
  const file = e.dataTransfer.files[0];
  if (file) searchByImage(file);
});
window.addEventListener("popstate", (e) => e.state && run(e.state, false));

async function pollStatus() {
  try {
    const s = await api("/api/status");
    const queue = s.queue > 0 ? ` · ${s.queue} to do` + (s.eta_seconds ? ` · about ${Math.ceil(s.eta_seconds / 60)} min` : "") : "";
    const error = s.last_error ? ` · ${s.last_error}` : "";
    $("status").textContent = `${s.state} · ${s.photos.toLocaleString()} photos${queue}${error} · ${s.model}`;
  } catch (e) {
    $("status").textContent = "clipd is not answering";
  }
  setTimeout(pollStatus, 2000);
}

signIn().finally(() => {
  const start = Object.fromEntries(new URLSearchParams(location.search));
  if (start.q || start.similar) run(start, false);
  loadFacets();
  pollStatus();
});
