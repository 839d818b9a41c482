"use strict";
// The clipd search page. Talks only to this clipd's API. The search (query, similar-to photo, filters) or the
// Duplicates view lives in the URL, so reload, Back and shared links restore it; each new search aborts the one it
// replaces.
const $ = (id) => document.getElementById(id);
const PAGE = 60;
const MAX_DEPTH = 10_000; // the API pages this deep into an answer
const TIMEOUT_MS = 30_000;
const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
  "November", "December"];
const EXAMPLES = ["a kitten peeking from behind a corner", "leading lines", "receipts", "a bee on a flower",
  "sunset over the sea", "birthday cake"];
const FILTER_KEYS = ["from", "until", "camera", "type"];
const GROUPS_PAGE = 50; // duplicate groups shown at a time

// What is on screen: the search (as in the URL), the rows loaded so far, and the request in flight.
const state = { search: {}, image: null, rows: [], total: 0, more: false, loading: null, generation: 0,
  viewing: -1, daemonDown: false, lastMonth: null, view: "search", duplicates: null };

class DaemonDown extends Error {}
class SignInNeeded extends Error {}

async function api(url, { signal, ...options } = {}) {
  let response;
  try {
    response = await fetch(url, { signal, ...options });
  } catch (e) {
    if (signal && signal.aborted) throw signal.reason instanceof Error ? signal.reason : e;
    throw new DaemonDown("clipd is not running: start it with clipd serve (this page reconnects by itself)");
  }
  if (response.status === 401) throw new SignInNeeded();
  const body = response.status === 204 ? {} : await response.json().catch(() => ({}));
  if (!response.ok) {
    const error = new Error(body.message || `${response.status} ${response.statusText}`);
    error.status = response.status;
    throw error;
  }
  return { body, total: Number(response.headers.get("X-Total-Count")) };
}

// ---- the search in the URL ----

function searchFromUrl() {
  const p = new URLSearchParams(location.search);
  const s = {};
  for (const key of ["q", "similar", ...FILTER_KEYS]) if (p.get(key)) s[key] = p.get(key);
  return s;
}

function urlOf(search) {
  const query = new URLSearchParams(search).toString();
  return query ? `?${query}` : location.pathname;
}

// The filters as API parameters: "until June" is everything before July; a year alone is the whole year.
function filterParams(search) {
  const f = {};
  if (search.from) f.after = search.from;
  if (search.until) {
    const [y, m] = search.until.split("-").map(Number);
    f.before = !m ? `${y + 1}` : m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, "0")}`;
  }
  if (search.camera) f.camera = search.camera;
  if (search.type) f.type = search.type;
  return f;
}

function hasFilters(search) {
  return FILTER_KEYS.some((k) => search[k]);
}

// ---- running a search ----

function go(search, { push = true } = {}) {
  state.search = search;
  state.image = null;
  if (push) history.pushState(null, "", urlOf(search));
  showControls(search);
  start();
}

function searchByImage(file) {
  state.image = file;
  state.search = {};
  refine(filtersFromControls());
}

function start() {
  showSearchView();
  reset();
  $("results").setAttribute("aria-busy", "true");
  $("landing").hidden = !isLanding();
  message("Searching…", "loading");
  loadPage();
}

// Drops the search on screen and makes any answer still on its way stale.
function reset() {
  if (state.loading) state.loading.abort(new DOMException("replaced by a newer search", "AbortError"));
  state.loading = null;
  state.generation++;
  state.rows = [];
  state.total = 0;
  state.more = false;
  state.lastMonth = null;
  $("results").replaceChildren();
  $("results").removeAttribute("aria-busy");
  $("load-more").hidden = true;
}

function isLanding() {
  return !state.search.q && !state.search.similar && !state.image && !hasFilters(state.search);
}

function requestFor(offset) {
  const s = state.search;
  const params = new URLSearchParams({ offset, top: Math.min(PAGE, MAX_DEPTH - offset), ...filterParams(s) });
  if (state.image) {
    return [`/api/search?${params}`, { method: "POST", body: state.image,
      headers: { "Content-Type": state.image.type || "application/octet-stream" } }];
  }
  if (s.similar) return [`/api/similar/${encodeURIComponent(s.similar)}?${params}`, {}];
  if (s.q) {
    params.set("q", s.q);
    return [`/api/search?${params}`, {}];
  }
  return [`/api/photos?${params}`, {}];
}

// Loads the next page; while one is on its way, answers with that one.
function loadPage() {
  if (!state.loading) state.loading = fetchPage();
  return state.loading.done;
}

function fetchPage() {
  const controller = new AbortController();
  controller.done = fetchInto(controller, state.generation);
  return controller;
}

async function fetchInto(controller, generation) {
  const timer = setTimeout(() => controller.abort(new Error("clipd took too long to answer; try again")), TIMEOUT_MS);
  $("load-more").hidden = true;
  const [url, options] = requestFor(state.rows.length);
  try {
    const { body, total } = await api(url, { ...options, signal: controller.signal });
    if (generation !== state.generation) return; // a newer search owns the page now
    state.total = Number.isFinite(total) && total > 0 ? total : state.rows.length + body.length;
    addRows(body);
    state.more = body.length > 0 && state.rows.length < Math.min(state.total, MAX_DEPTH);
    describe();
  } catch (e) {
    if (generation !== state.generation) return;
    if (e instanceof SignInNeeded) return signInNeeded();
    if (e instanceof DaemonDown) daemonDown();
    message(e.message, "error", state.rows.length ? "Try again" : "Retry", () => state.rows.length ? loadPage() : start());
  } finally {
    clearTimeout(timer);
    if (generation === state.generation) {
      state.loading = null;
      $("results").removeAttribute("aria-busy");
      $("load-more").hidden = !state.more;
      if (state.more) requestAnimationFrame(fillScreen);
    }
  }
}

// Loads more while the end of the grid is on screen (a tall window, or after a fast scroll).
function fillScreen() {
  if (state.more && !state.loading && $("more").getBoundingClientRect().top < innerHeight + 400) loadPage();
}

function describe() {
  const s = state.search;
  const n = state.total.toLocaleString();
  const shown = state.rows.length < state.total ? ` · ${state.rows.length.toLocaleString()} shown` : "";
  let what;
  if (state.image) what = `like ${state.image.name}, most alike first`;
  else if (s.similar) what = "like that photo, most alike first";
  else if (s.q) what = `for “${s.q}”, best match first`;
  else if (hasFilters(s)) what = "matching the filters, newest first";
  else what = "in your library, newest first";
  if (!state.rows.length) {
    const clear = hasFilters(s) ? ["Clear filters", clearFilters] : [];
    message(`No photos ${what.split(",")[0]}.`, "empty", ...clear);
    return;
  }
  const deepest = state.rows.length >= MAX_DEPTH && state.total > state.rows.length
    ? " (the first 10,000 are shown; narrow the search for the rest)" : "";
  message(`${n} photo${state.total === 1 ? "" : "s"} ${what}${shown}${deepest}`, "done");
}

function message(text, kind, action, onAction) {
  const m = $("message");
  m.className = kind;
  m.replaceChildren(text);
  if (action) {
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = action;
    button.addEventListener("click", onAction);
    m.append(" ", button);
  }
}

// ---- the grid ----

function monthOf(row) {
  if (!row.taken) return "Date unknown";
  const [y, m] = row.taken.split("-");
  return `${MONTHS[Number(m) - 1]} ${y}`;
}

function addRows(rows) {
  const timeline = !state.search.q && !state.search.similar && !state.image;
  const nodes = [];
  for (const row of rows) {
    if (timeline && monthOf(row) !== state.lastMonth) {
      state.lastMonth = monthOf(row);
      const heading = document.createElement("h2");
      heading.className = "month";
      heading.textContent = state.lastMonth;
      nodes.push(heading);
    }
    nodes.push(tile(row, state.rows.length));
    state.rows.push(row);
  }
  $("results").append(...nodes);
}

function nameOf(path) {
  return path.split("/").pop();
}

function tile(row, index) {
  const name = nameOf(row.path);
  const link = document.createElement("a");
  link.className = "tile";
  link.href = `/api/photos/${row.id}/file`;
  link.dataset.index = index;
  link.title = row.path;
  const img = document.createElement("img");
  img.src = `${row.thumbnail}?size=256`;
  img.alt = name;
  img.loading = "lazy";
  img.decoding = "async";
  const caption = document.createElement("span");
  caption.className = "caption";
  caption.textContent = state.search.q || state.search.similar || state.image ? `${row.score.toFixed(3)} · ${name}` : name;
  link.append(img, caption);
  link.addEventListener("click", (e) => {
    if (e.button !== 0 || e.ctrlKey || e.metaKey || e.shiftKey) return; // a new tab shows the original
    e.preventDefault();
    openViewer(index);
  });
  return link;
}

// Arrow keys move in the grid by rows and columns as laid out on screen; Home and End go to the ends.
function tiles() {
  return [...$("results").querySelectorAll(".tile")];
}

function moveInGrid(e) {
  const all = tiles();
  const at = all.indexOf(document.activeElement);
  if (at < 0) return;
  let to = at;
  const columns = all.filter((t) => t.offsetTop === all[at].offsetTop).length || 1;
  if (e.key === "ArrowRight") to = at + 1;
  else if (e.key === "ArrowLeft") to = at - 1;
  else if (e.key === "ArrowDown") to = nearestBelow(all, at, 1);
  else if (e.key === "ArrowUp") to = nearestBelow(all, at, -1);
  else if (e.key === "Home") to = 0;
  else if (e.key === "End") to = all.length - 1;
  else return;
  e.preventDefault();
  if (columns && to >= 0 && to < all.length) all[to].focus();
  if (to >= all.length - columns) fillScreen();
}

// The tile in the next (or previous) visual row closest in x: month headings break rows unevenly.
function nearestBelow(all, at, direction) {
  const here = all[at];
  let best = at;
  let bestRowTop = null;
  for (let i = at + direction; i >= 0 && i < all.length; i += direction) {
    const top = all[i].offsetTop;
    if (top === here.offsetTop) continue;
    if (bestRowTop === null) bestRowTop = top;
    if (top !== bestRowTop) break;
    if (best === at || Math.abs(all[i].offsetLeft - here.offsetLeft) < Math.abs(all[best].offsetLeft - here.offsetLeft)) best = i;
  }
  return best;
}

// ---- the viewer ----

async function openViewer(index) {
  const viewer = $("viewer");
  if (!viewer.open) {
    viewer.showModal();
    $("close").focus();
  }
  await showInViewer(index);
}

async function showInViewer(index) {
  if (index >= state.rows.length && state.more) {
    await loadPage();
  }
  if (index < 0 || index >= state.rows.length) return;
  state.viewing = index;
  const row = state.rows[index];
  const name = nameOf(row.path);
  const image = $("view-image");
  image.src = `${row.thumbnail}?size=256`; // at once, from the cache; the full view replaces it when loaded
  image.alt = name;
  const full = new Image();
  full.onload = () => state.viewing === index && (image.src = full.src);
  full.src = `/api/photos/${row.id}/display`;
  $("view-name").textContent = name;
  $("view-position").textContent = `${index + 1} of ${state.total.toLocaleString()}`;
  $("prev").disabled = index === 0;
  $("next").disabled = index === state.rows.length - 1 && !state.more;
  $("view-original").href = `/api/photos/${row.id}/file`;
  $("view-note").textContent = "";
  $("view-facts").replaceChildren();
  $("view-tags").replaceChildren();
  $("view-score").textContent = scoreLine(row);
  tiles()[index]?.scrollIntoView({ block: "nearest" });
  const [facts, tags] = await Promise.allSettled([
    api(`/api/photos/${row.id}`).then((r) => r.body),
    api(`/api/photos/${row.id}/tags?top=8`).then((r) => r.body)]);
  if (state.viewing !== index) return;
  if (facts.status === "fulfilled") showFacts(facts.value);
  else $("view-facts").append(fact("Details", facts.reason.message));
  showTags(tags);
}

function scoreLine(row) {
  if (state.search.q) return `Score for “${state.search.q}”: ${row.score.toFixed(3)}`;
  if (state.search.similar || state.image) return `Likeness to the photo searched by: ${row.score.toFixed(3)}`;
  return "Shown by date; search to see a score.";
}

function fact(term, value, href) {
  const dt = document.createElement("dt");
  dt.textContent = term;
  const dd = document.createElement("dd");
  if (href) {
    const a = document.createElement("a");
    a.href = href;
    a.target = "_blank";
    a.rel = "noopener noreferrer";
    a.textContent = value;
    dd.append(a);
  } else {
    dd.textContent = value;
  }
  return [dt, dd];
}

// The photo's own wall clock, as the camera showed it, with its UTC offset when one was recorded.
function takenText(taken) {
  const m = taken.match(/^(\d{4})-(\d{2})-(\d{2})T(\d{2}:\d{2})(?::\d{2}(?:\.\d+)?)?(.*)$/);
  if (!m) return taken;
  const offset = m[5] === "Z" ? " UTC" : m[5] ? ` (UTC${m[5]})` : "";
  return `${Number(m[3])} ${MONTHS[Number(m[2]) - 1]} ${m[1]}, ${m[4]}${offset}`;
}

function showFacts(p) {
  const rows = [];
  if (p.taken) {
    const source = p.taken_source === "file" ? "the file's modification time" : p.taken_source;
    rows.push(fact("Taken", source ? `${takenText(p.taken)} · from ${source}` : takenText(p.taken)));
  } else {
    rows.push(fact("Taken", "unknown"));
  }
  const camera = p.camera || [p.make, p.model].filter(Boolean).join(" ");
  if (camera) rows.push(fact("Camera", camera));
  if (p.lens) rows.push(fact("Lens", p.lens));
  if (p.latitude != null && p.longitude != null) {
    const place = `${p.latitude.toFixed(5)}, ${p.longitude.toFixed(5)}`;
    rows.push(fact("Place", place,
      `https://www.openstreetmap.org/?mlat=${p.latitude}&mlon=${p.longitude}#map=15/${p.latitude}/${p.longitude}`));
  }
  const slash = p.path.lastIndexOf("/");
  rows.push(fact("Folder", p.path.slice(0, slash) || "/"));
  rows.push(fact("File", p.path.slice(slash + 1)));
  if (p.width && p.height) rows.push(fact("Size", `${p.width} × ${p.height} px${p.type ? ` · ${p.type.toUpperCase()}` : ""}`));
  else if (p.type) rows.push(fact("Type", p.type.toUpperCase()));
  $("view-facts").replaceChildren(...rows.flat());
}

function showTags(result) {
  const list = $("view-tags");
  if (result.status !== "fulfilled") {
    const li = document.createElement("li");
    li.className = "note";
    li.textContent = `Tags: ${result.reason.message}`;
    list.replaceChildren(li);
    return;
  }
  list.replaceChildren(...result.value.candidates.map((c) => {
    const li = document.createElement("li");
    li.className = c.chosen ? "chosen" : "";
    li.textContent = c.tag;
    const bar = document.createElement("meter");
    bar.min = 0;
    bar.max = 1;
    bar.value = c.probability;
    bar.title = `probability ${(100 * c.probability).toFixed(1)}%, cosine ${c.cosine.toFixed(3)}`;
    const value = document.createElement("span");
    value.textContent = `${(100 * c.probability).toFixed(0)}%${c.chosen ? " · tag" : ""}`;
    if (c.chosen) value.title = "one of this photo's tags";
    li.append(bar, value);
    return li;
  }));
}

function step(by) {
  const to = state.viewing + by;
  if (to >= 0 && (to < state.rows.length || state.more)) showInViewer(to);
}

function closeViewer() {
  const index = state.viewing;
  state.viewing = -1;
  tiles()[index]?.focus();
}

async function copyPath() {
  const path = state.rows[state.viewing]?.path;
  if (!path) return;
  try {
    await navigator.clipboard.writeText(path);
    $("view-note").textContent = "Path copied.";
  } catch (e) {
    $("view-note").textContent = path; // no clipboard (plain http on another host): shown to copy by hand
  }
}

// ---- the Duplicates view ----
// Groups of photos that look the same, from /api/duplicates, side by side with the facts a person decides by. The
// page only shows and copies paths: clipd never deletes or moves a photo.

function duplicatesFromUrl() {
  const threshold = new URLSearchParams(location.search).get("threshold");
  return threshold ? { view: "duplicates", threshold } : { view: "duplicates" };
}

function showSearchView() {
  state.view = "search";
  state.duplicates = null;
  document.body.classList.remove("duplicates-view");
  $("duplicates").hidden = true;
  $("to-duplicates").removeAttribute("aria-current");
}

function showDuplicates(options, { push = true } = {}) {
  if (push) history.pushState(null, "", urlOf(options));
  reset();
  state.view = "duplicates";
  state.duplicates = null;
  document.body.classList.add("duplicates-view");
  $("duplicates").hidden = false;
  $("to-duplicates").setAttribute("aria-current", "page");
  $("q").value = "";
  $("threshold").value = options.threshold || "";
  $("groups").replaceChildren();
  $("groups").setAttribute("aria-busy", "true");
  $("more-groups").hidden = true;
  if (push) $("duplicates-title").focus();
  message("Finding photos that look the same…", "loading");
  loadDuplicates(options, state.generation);
}

async function loadDuplicates(options, generation) {
  const params = new URLSearchParams(options.threshold ? { threshold: options.threshold } : {});
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new Error("clipd took too long to answer; try again")), TIMEOUT_MS);
  try {
    const { body } = await api(`/api/duplicates?${params}`, { signal: controller.signal });
    if (generation !== state.generation) return;
    state.duplicates = { answer: body, shown: 0 };
    $("keep-rule").textContent = body.keep_rule;
    if (!options.threshold) $("threshold").value = Number(body.threshold.toFixed(3));
    addGroups();
    describeDuplicates();
  } catch (e) {
    if (generation !== state.generation) return;
    if (e instanceof SignInNeeded) return signInNeeded();
    if (e.status === 503) { // still grouping the library (just after start): ask again shortly
      message(e.message, "loading");
      setTimeout(() => generation === state.generation && loadDuplicates(options, generation), 2000);
      return;
    }
    if (e instanceof DaemonDown) daemonDown();
    message(e.message, "error", "Retry", () => showDuplicates(options, { push: false }));
  } finally {
    clearTimeout(timer);
  }
  if (generation === state.generation) $("groups").removeAttribute("aria-busy");
}

function describeDuplicates() {
  const { groups, threshold } = state.duplicates.answer;
  const alike = `cosine ≥ ${threshold.toFixed(3)}`;
  if (!groups.length) return message(`No photos look the same (${alike}).`, "empty");
  const photos = groups.reduce((n, g) => n + g.members.length, 0);
  const exact = groups.filter((g) => g.kind === "exact").length;
  message(`${groups.length.toLocaleString()} group${groups.length === 1 ? "" : "s"} of photos that look the same `
    + `(${exact.toLocaleString()} of exact copies) · ${photos.toLocaleString()} photos · ${alike}`, "done");
}

function addGroups() {
  const d = state.duplicates;
  const next = d.answer.groups.slice(d.shown, d.shown + GROUPS_PAGE);
  $("groups").append(...next.map((g, i) => groupItem(g, d.shown + i + 1)));
  d.shown += next.length;
  $("more-groups").hidden = d.shown >= d.answer.groups.length;
  $("more-groups").textContent = `Show more groups (${(d.answer.groups.length - d.shown).toLocaleString()} more)`;
}

function button(text, onClick) {
  const b = document.createElement("button");
  b.type = "button";
  b.textContent = text;
  b.addEventListener("click", onClick);
  return b;
}

function groupItem(group, number) {
  const li = document.createElement("li");
  li.className = `group ${group.kind}`;
  li.setAttribute("aria-labelledby", `group-${number}`);
  const title = document.createElement("h3");
  title.id = `group-${number}`;
  title.textContent = `${number}. ${group.kind === "exact" ? "Exact copies" : "Look alike"} · ${group.members.length} photos`;
  const note = document.createElement("p");
  note.className = "note";
  note.setAttribute("role", "status");
  note.setAttribute("aria-live", "polite");
  const paths = group.members.map((m) => m.path);
  const all = button("Copy the paths", () => copyPaths(paths, note));
  const others = button("Copy all but the keeper", () => copyPaths(paths.slice(1), note));
  for (const b of [all, others]) b.setAttribute("aria-describedby", title.id);
  const bar = document.createElement("div");
  bar.className = "bar";
  bar.append(title, all, others, note);
  const members = document.createElement("ul");
  members.className = "members";
  members.append(...group.members.map(memberItem));
  li.append(bar, members);
  return li;
}

function memberItem(m) {
  const li = document.createElement("li");
  li.className = m.keep ? "member keeper" : "member";
  const name = nameOf(m.path);
  const link = document.createElement("a");
  link.href = `/api/photos/${m.id}/file`;
  link.target = "_blank";
  link.rel = "noopener";
  link.title = `${m.path} (opens the original)`;
  const img = document.createElement("img");
  img.src = `${m.thumbnail}?size=256`;
  img.alt = name;
  img.loading = "lazy";
  img.decoding = "async";
  link.append(img);
  const badge = document.createElement("p");
  badge.className = "badge";
  badge.textContent = m.keep ? "Suggested keeper"
    : `Likeness to the keeper: ${typeof m.similarity === "number" ? m.similarity.toFixed(4) : "unknown"}`;
  const facts = document.createElement("dl");
  const slash = m.path.lastIndexOf("/");
  facts.append(...[
    fact("File", name),
    fact("Folder", m.path.slice(0, slash) || "/"),
    fact("Size", fileSize(m.bytes)),
    fact("Pixels", m.width && m.height ? `${m.width} × ${m.height}` : "unknown"),
    fact("Taken", m.taken ? takenText(m.taken) : "unknown"),
    ...(m.camera ? [fact("Camera", m.camera)] : []),
  ].flat());
  li.append(link, badge, facts);
  return li;
}

function fileSize(bytes) {
  if (bytes >= 1e6) return `${(bytes / 1e6).toFixed(1)} MB`;
  if (bytes >= 1e3) return `${Math.round(bytes / 1e3)} kB`;
  return `${bytes} bytes`;
}

async function copyPaths(paths, note) {
  const text = paths.join("\n");
  try {
    await navigator.clipboard.writeText(text);
    note.textContent = `${paths.length} path${paths.length === 1 ? "" : "s"} copied, one a line.`;
  } catch (e) {
    note.textContent = text; // no clipboard (plain http on another host): shown to copy by hand
  }
}

// ---- controls ----

function fillMonths(select) {
  select.replaceChildren(new Option("any month", ""), ...MONTHS.map((m, i) => new Option(m, String(i + 1).padStart(2, "0"))));
}

function fillYears(first, last) {
  for (const id of ["from-year", "until-year"]) {
    const select = $(id);
    const keep = select.value;
    select.replaceChildren(new Option("any year", ""));
    for (let y = last; y >= first; y--) select.append(new Option(String(y), String(y)));
    select.value = keep;
  }
}

function ensureOption(select, value) {
  if (value && ![...select.options].some((o) => o.value === value)) select.append(new Option(value, value));
}

function showControls(search) {
  $("q").value = search.q || "";
  for (const side of ["from", "until"]) {
    const [y, m] = (search[side] || "").split("-");
    ensureOption($(`${side}-year`), y);
    $(`${side}-year`).value = y || "";
    $(`${side}-month`).value = m || "";
    $(`${side}-month`).disabled = !y;
  }
  for (const key of ["camera", "type"]) {
    ensureOption($(key), search[key]);
    $(key).value = search[key] || "";
  }
  $("clear-filters").hidden = !hasFilters(search);
  showChips(search);
}

function showChips(search) {
  const chips = [];
  if (search.similar || state.image) {
    const chip = document.createElement("span");
    chip.className = "chip";
    const img = document.createElement("img");
    img.alt = "";
    if (state.image) img.src = URL.createObjectURL(state.image);
    else img.src = `/api/photos/${encodeURIComponent(search.similar)}/thumbnail?size=64`;
    const label = document.createElement("span");
    label.textContent = state.image ? `Like ${state.image.name}` : "Like this photo";
    if (!state.image) {
      api(`/api/photos/${encodeURIComponent(search.similar)}`)
        .then(({ body }) => { label.textContent = `Like ${nameOf(body.path)}`; }, () => {});
    }
    const remove = document.createElement("button");
    remove.type = "button";
    remove.textContent = "✕";
    remove.setAttribute("aria-label", "Stop searching by this photo");
    remove.addEventListener("click", () => {
      const rest = { ...state.search };
      delete rest.similar;
      go(rest);
    });
    chip.append(img, label, remove);
    chips.push(chip);
  }
  $("chips").replaceChildren(...chips);
}

function filtersFromControls() {
  const f = {};
  for (const side of ["from", "until"]) {
    const y = $(`${side}-year`).value;
    const m = $(`${side}-month`).value;
    if (y) f[side] = m ? `${y}-${m}` : y;
  }
  if ($("camera").value) f.camera = $("camera").value;
  if ($("type").value) f.type = $("type").value;
  return f;
}

// New filters keep what is searched by: the query, the similar-to photo, or the image sent.
function refine(filters) {
  const s = {};
  if (state.search.q) s.q = state.search.q;
  if (state.search.similar) s.similar = state.search.similar;
  const search = { ...s, ...filters };
  if (!state.image) return go(search);
  state.search = search;
  history.pushState(null, "", urlOf(search));
  showControls(search);
  start();
}

const applyFilters = () => refine(filtersFromControls());
const clearFilters = () => refine({});

async function loadFacets() {
  try {
    const { body } = await api("/api/facets");
    for (const camera of body.cameras) {
      $("camera").append(new Option(`${camera.name} (${camera.count})`, camera.name.toLowerCase()));
    }
    for (const [type, count] of Object.entries(body.types)) $("type").append(new Option(`${type} (${count})`, type));
    const year = (d) => Number(d.slice(0, 4));
    const now = new Date().getFullYear();
    fillYears(body.first_taken ? year(body.first_taken) : now, body.last_taken ? year(body.last_taken) : now);
    showControls(state.search);
  } catch (e) {
    if (e instanceof SignInNeeded) signInNeeded();
    // otherwise the filters still work with the years this page knows
  }
}

// ---- status, sign-in, daemon down ----

async function pollStatus() {
  try {
    const { body: s } = await api("/api/status", { signal: AbortSignal.timeout ? AbortSignal.timeout(5000) : undefined });
    const queue = s.queue > 0 ? ` · ${s.queue.toLocaleString()} to do` + (s.eta_seconds ? ` · about ${Math.ceil(s.eta_seconds / 60)} min` : "") : "";
    const error = s.last_error ? ` · ${s.last_error}` : "";
    $("status").textContent = `${s.state} · ${s.photos.toLocaleString()} photos${queue}${error} · ${s.model}`;
    $("library").textContent = `${s.photos.toLocaleString()} photos in ${s.folders.length} folder${s.folders.length === 1 ? "" : "s"}`
      + ` (${s.folders.join(", ")}) · ${s.state}${queue}${error}`;
    if (state.daemonDown) {
      state.daemonDown = false;
      document.body.classList.remove("down");
      if (state.view === "duplicates") {
        if (!state.duplicates) showDuplicates(duplicatesFromUrl(), { push: false });
      } else if (!state.rows.length) {
        start();
      }
    }
  } catch (e) {
    if (e instanceof SignInNeeded) return signInNeeded();
    daemonDown();
  }
  setTimeout(pollStatus, state.daemonDown ? 3000 : 5000);
}

function daemonDown() {
  state.daemonDown = true;
  document.body.classList.add("down");
  $("status").textContent = "clipd is not answering";
}

function signInNeeded() {
  document.body.classList.add("signed-out");
  $("signin").hidden = false;
}

// The link `clipd open` prints carries a one-time token in the fragment: trade it for a session cookie, then
// drop it from the address bar and history.
async function signIn() {
  const token = new URLSearchParams(location.hash.slice(1)).get("token");
  if (!token) return;
  try {
    await fetch("/api/session", { method: "POST", headers: { Authorization: `Bearer ${token}` } });
  } finally {
    history.replaceState(null, "", location.pathname + location.search);
  }
}

// ---- wiring ----

$("search").addEventListener("submit", (e) => {
  e.preventDefault();
  const q = $("q").value.trim();
  const search = { ...filtersFromControls() };
  if (q) search.q = q;
  go(search);
});
for (const id of ["from-year", "from-month", "until-year", "until-month", "camera", "type"]) {
  $(id).addEventListener("change", applyFilters);
}
$("clear-filters").addEventListener("click", clearFilters);
$("by-image").addEventListener("click", () => $("image").click());
$("image").addEventListener("change", (e) => e.target.files[0] && searchByImage(e.target.files[0]));
$("home").addEventListener("click", (e) => {
  e.preventDefault();
  go({});
});
$("load-more").addEventListener("click", loadPage);
$("results").addEventListener("keydown", moveInGrid);
new IntersectionObserver((entries) => entries[0].isIntersecting && fillScreen(), { rootMargin: "400px" })
  .observe($("more"));

document.addEventListener("dragover", (e) => { e.preventDefault(); document.body.classList.add("dropping"); });
document.addEventListener("dragleave", () => document.body.classList.remove("dropping"));
document.addEventListener("drop", (e) => {
  e.preventDefault();
  document.body.classList.remove("dropping");
  const file = e.dataTransfer.files[0];
  if (file) searchByImage(file);
});
document.addEventListener("keydown", (e) => {
  const typing = /^(INPUT|SELECT|TEXTAREA)$/.test(document.activeElement.tagName);
  if (e.key === "/" && !typing && !$("viewer").open) {
    e.preventDefault();
    $("q").focus();
    $("q").select();
  }
});

const viewer = $("viewer");
document.addEventListener("keydown", (e) => {
  if (!viewer.open || e.altKey || e.ctrlKey || e.metaKey) return;
  if (e.key === "ArrowLeft") step(-1);
  else if (e.key === "ArrowRight") step(1);
  else return;
  e.preventDefault();
});
viewer.addEventListener("close", closeViewer);
viewer.addEventListener("click", (e) => e.target === viewer && viewer.close());
$("close").addEventListener("click", () => viewer.close());
$("prev").addEventListener("click", () => step(-1));
$("next").addEventListener("click", () => step(1));
$("view-copy").addEventListener("click", copyPath);
$("view-similar").addEventListener("click", () => {
  const row = state.rows[state.viewing];
  viewer.close();
  go({ ...filtersFromControls(), similar: row.id });
});

$("to-duplicates").addEventListener("click", (e) => {
  if (e.button !== 0 || e.ctrlKey || e.metaKey || e.shiftKey) return;
  e.preventDefault();
  showDuplicates({ view: "duplicates" });
});
$("duplicates-options").addEventListener("submit", (e) => {
  e.preventDefault();
  const threshold = $("threshold").value.trim();
  showDuplicates(threshold ? { view: "duplicates", threshold } : { view: "duplicates" });
});
$("more-groups").addEventListener("click", addGroups);

// Shows what the address says: the Duplicates view, or a search.
function showUrl() {
  if (new URLSearchParams(location.search).get("view") === "duplicates") showDuplicates(duplicatesFromUrl(), { push: false });
  else go(searchFromUrl(), { push: false });
}

window.addEventListener("popstate", () => {
  if (viewer.open) viewer.close();
  showUrl();
});

$("examples").append(...EXAMPLES.map((text) => {
  const a = document.createElement("a");
  a.href = urlOf({ q: text });
  a.textContent = text;
  a.addEventListener("click", (e) => {
    e.preventDefault();
    go({ q: text });
  });
  return a;
}));
fillMonths($("from-month"));
fillMonths($("until-month"));
fillYears(new Date().getFullYear() - 20, new Date().getFullYear());

signIn().finally(() => {
  showUrl();
  loadFacets();
  pollStatus();
});
