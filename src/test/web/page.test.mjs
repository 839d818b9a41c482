// The search page in headless Chromium (Debian's /usr/bin/chromium; no browser is downloaded), against the daemon
// that clipd.http.SearchPageBrowserTest starts: CLIPD_URL, CLIPD_TOKEN, CLIPD_PHOTOS (how many are indexed),
// CLIPD_SAMPLE (a photo to search by) and CLIPD_SCREENSHOTS (where to save screenshots).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { chromium } from "playwright-core";

const BASE = process.env.CLIPD_URL;
const TOKEN = process.env.CLIPD_TOKEN;
const PHOTOS = Number(process.env.CLIPD_PHOTOS);
const SAMPLE = process.env.CLIPD_SAMPLE;
const SHOTS = process.env.CLIPD_SCREENSHOTS;
const HEIC = process.env.CLIPD_HEIC === "1"; // bee.heic is indexed (libheif's heif-convert is installed)
assert.ok(BASE && TOKEN && PHOTOS && SAMPLE && SHOTS, "run these from SearchPageBrowserTest (CLIPD_* variables)");

let browser;
before(async () => {
  browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
});
after(async () => browser && browser.close());

const DESKTOP = { width: 1280, height: 860 };
const PHONE = { width: 360, height: 740 };

// A signed-in page, as the link `clipd open` prints would make it.
async function open(path = "/", viewport = DESKTOP) {
  const context = await browser.newContext({ viewport, reducedMotion: "reduce" });
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  page.errors = errors;
  await page.goto(`${BASE}${path}#token=${TOKEN}`);
  await settled(page);
  return page;
}

// Waits until no search is in flight and the message says how it went.
async function settled(page) {
  await page.waitForFunction(() => {
    const m = document.getElementById("message");
    return m && /\b(done|empty|error)\b/.test(m.className) && !document.getElementById("results").hasAttribute("aria-busy");
  }, null, { timeout: 20_000 });
}

const tileCount = (page) => page.locator("#results .tile").count();
const message = (page) => page.locator("#message").textContent();
const viewerName = (page) => page.locator("#view-name").textContent();
const tileName = async (page, i) => (await page.locator("#results .tile").nth(i).getAttribute("title")).split("/").pop();

// Waits for the thumbnails on screen (they load lazily), so that screenshots show them.
async function picturesShown(page) {
  await page.waitForFunction(() => [...document.images].filter((i) => {
    const r = i.getBoundingClientRect();
    return r.bottom > 0 && r.top < innerHeight && r.width > 0;
  }).every((i) => i.complete), null, { timeout: 20_000 });
}

async function shoot(page, name) {
  await picturesShown(page);
  await page.screenshot({ path: `${SHOTS}/${name}.png` });
}

async function done(page) {
  assert.deepEqual(page.errors, [], "no script errors");
  await page.context().close();
}

test("landing: newest photos by month, the library's status, example queries; the token leaves the address bar", async () => {
  const page = await open("/");
  assert.equal(await page.evaluate(() => location.hash), "", "the token is dropped from the URL");
  assert.equal(await tileCount(page), 60, "one page of 60");
  assert.match(await message(page), new RegExp(`^${PHOTOS.toLocaleString("en-US")} photos in your library, newest first · 60 shown`));
  const months = await page.locator("#results h2.month").allTextContents();
  assert.ok(months.length >= 2 && months.every((m) => /^[A-Z][a-z]+ \d{4}$/.test(m)), `month headings: ${months}`);
  await page.waitForFunction(() => /photos in 1 folder/.test(document.getElementById("library").textContent));
  assert.ok(await page.locator("#examples a").count() >= 3, "example queries");
  await shoot(page, "desktop-landing");
  await page.locator("#results .tile").first().click();
  await page.waitForSelector("#view-tags li:not(.note)");
  await page.waitForFunction(() => document.getElementById("view-image").naturalWidth > 0);
  assert.equal(await page.locator("#view-score").textContent(), "Shown by date; search to see a score.");
  await shoot(page, "desktop-viewer");
  await done(page);
});

test("scrolling loads more until every photo is shown", async () => {
  const page = await open("/");
  for (let shown = await tileCount(page); shown < PHOTOS; shown = await tileCount(page)) {
    await page.mouse.wheel(0, 20_000);
    await page.waitForFunction((n) => document.querySelectorAll("#results .tile").length > n, shown,
      { timeout: 20_000 });
  }
  assert.equal(await tileCount(page), PHOTOS, "all of them, page by page");
  assert.match(await message(page), new RegExp(`^${PHOTOS.toLocaleString("en-US")} photos in your library, newest first$`));
  const ids = await page.locator("#results .tile").evaluateAll((tiles) => tiles.map((t) => t.href));
  assert.equal(new Set(ids).size, PHOTOS, "no photo twice across pages");
  assert.ok(await page.locator("#load-more").isHidden(), "nothing more to load");
  await done(page);
});

test("a text search shows a total and scores; the viewer opens, steps with the keyboard and closes with Esc", async () => {
  const page = await open("/");
  await page.fill("#q", "a photo of a cat");
  await page.press("#q", "Enter");
  await settled(page);
  assert.match(page.url(), /\?q=a\+photo\+of\+a\+cat$/);
  assert.match(await message(page), new RegExp(`^${PHOTOS} photos for “a photo of a cat”, best match first · 60 shown`));
  assert.match(await page.locator("#results .tile .caption").first().textContent(), /^-?\d\.\d{3} · /);
  await shoot(page, "desktop-grid");

  await page.locator("#results .tile").first().click();
  const viewer = page.locator("#viewer");
  await viewer.waitFor({ state: "visible" });
  assert.equal(await viewerName(page), await tileName(page, 0));
  await page.waitForSelector("#view-facts dt");
  const facts = await page.locator("#view-facts dt").allTextContents();
  for (const term of ["Taken", "Folder", "File"]) assert.ok(facts.includes(term), `${term} in ${facts}`);
  await page.waitForSelector("#view-tags li:not(.note)");
  assert.match(await page.locator("#view-score").textContent(), /^Score for “a photo of a cat”: -?\d\.\d{3}$/);
  assert.ok(await page.locator("#view-tags li").count() >= 3, "the photo's best tags with their scores");

  await page.keyboard.press("ArrowRight");
  await page.waitForFunction((n) => document.getElementById("view-name").textContent === n, await tileName(page, 1));
  await page.keyboard.press("ArrowRight");
  assert.equal(await viewerName(page), await tileName(page, 2));
  await page.keyboard.press("ArrowLeft");
  assert.equal(await viewerName(page), await tileName(page, 1));
  assert.equal(await page.locator("#view-position").textContent(), `2 of ${PHOTOS}`);
  await page.keyboard.press("Escape");
  await viewer.waitFor({ state: "hidden" });
  // The dialog first gives focus back to the tile that opened it; the page moves it on in the close event, a task later.
  await page.waitForFunction(() => document.activeElement.dataset.index === "1", null, { timeout: 5_000 }).catch(() => {});
  assert.equal(await page.evaluate(() => document.activeElement.dataset.index), "1", "focus returns to the photo viewed");
  await done(page);
});

test("the viewer shows formats browsers cannot (TIFF, PNM, JPEG 2000, HEIC) through a JPEG rendition", async () => {
  const page = await open("/");
  for (const name of ["chess-knight.tiff", "kookaburras.pnm", "duck.jp2", ...(HEIC ? ["bee.heic"] : [])]) {
    const id = await page.evaluate(async (n) => {
      for (let offset = 0; ; offset += 100) {
        const rows = await (await fetch(`/api/photos?top=100&offset=${offset}`)).json();
        const row = rows.find((r) => r.path.endsWith(`/${n}`));
        if (row || rows.length < 100) return row && row.id;
      }
    }, name);
    assert.ok(id, `${name} is indexed`);
    const response = await page.request.get(`${BASE}/api/photos/${id}/display`);
    assert.equal(response.status(), 200, name);
    assert.equal(response.headers()["content-type"], "image/jpeg", name);
    const shown = await page.evaluate(async (src) => {
      const img = new Image();
      img.src = src;
      await img.decode();
      return img.naturalWidth;
    }, `/api/photos/${id}/display`);
    assert.ok(shown > 0, `${name} decodes in the browser`);
  }
  await done(page);
});

test("filters apply to similar and image searches, live in the URL and survive reload", async () => {
  const page = await open("/");
  const pixel = await page.locator("#camera option", { hasText: "Pixel 8" }).getAttribute("value");
  await page.selectOption("#camera", pixel);
  await settled(page);
  assert.match(page.url(), /camera=google\+pixel\+8/);
  const pixels = Math.ceil(100 / 3); // every third generated photo
  assert.match(await message(page), new RegExp(`^${pixels} photos matching the filters, newest first`));

  await page.locator("#results .tile").first().click();
  await page.locator("#viewer").waitFor({ state: "visible" });
  await page.click("#view-similar");
  await settled(page);
  assert.match(page.url(), /similar=[0-9a-f]{16,}/);
  assert.match(page.url(), /camera=google\+pixel\+8/);
  assert.match(await message(page), new RegExp(`^${pixels - 1} photos like that photo, most alike first`),
    "the camera filter holds, the photo itself left out");
  assert.ok(await page.locator("#chips .chip img").isVisible(), "the similar-to photo as a chip with its thumbnail");
  const likeName = await page.locator("#viewer #view-name").textContent();
  await page.waitForFunction((n) => document.querySelector("#chips .chip span").textContent === `Like ${n}`, likeName);

  await page.reload();
  await settled(page);
  assert.equal(await page.inputValue("#camera"), pixel, "the filter survives reload");
  assert.match(await message(page), new RegExp(`^${pixels - 1} photos like that photo`));
  await page.goBack();
  await settled(page);
  assert.match(await message(page), new RegExp(`^${pixels} photos matching the filters`), "Back restores the search before");

  const sent = page.waitForRequest((r) => r.method() === "POST" && r.url().includes("/api/search"));
  await page.setInputFiles("#image", SAMPLE);
  assert.match((await sent).url(), /camera=google\+pixel\+8/, "the image search carries the filters");
  await settled(page);
  assert.match(await message(page), new RegExp(`^${pixels} photos like cat.jpg, most alike first`));
  await page.selectOption("#from-year", "2024");
  await page.selectOption("#from-month", "03");
  await settled(page);
  assert.match(page.url(), /from=2024-03/);
  const expected = await page.evaluate(async () =>
    Number((await fetch("/api/photos?top=1&camera=pixel+8&after=2024-03")).headers.get("X-Total-Count")));
  assert.ok(expected > 0 && expected < pixels, "the month narrows it further");
  assert.match(await message(page), new RegExp(`^${expected} photos like cat.jpg`), "the image is kept when filters change");
  await done(page);
});

test("a slow earlier answer never replaces a newer one; the old request is aborted", async () => {
  const page = await open("/");
  let slowAborted = false;
  page.on("requestfailed", (r) => { if (r.url().includes("q=slow")) slowAborted = true; });
  await page.route(/q=slow/, async (route) => {
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await route.continue().catch(() => {});
  });
  await page.fill("#q", "slow boats");
  await page.press("#q", "Enter");
  await page.fill("#q", "a bee");
  await page.press("#q", "Enter");
  await settled(page);
  await page.waitForTimeout(2000); // the slow answer would have arrived by now
  assert.match(await message(page), /for “a bee”/);
  const expected = await page.evaluate(async () => (await (await fetch("/api/search?q=a+bee&top=1")).json())[0].id);
  assert.equal(await page.locator("#results .tile").first().getAttribute("href"), `/api/photos/${expected}/file`);
  assert.ok(slowAborted, "the replaced request was aborted");
  await done(page);
});

test("a phone at 360 px: no horizontal overflow, every control reachable, the viewer fits", async () => {
  const page = await open("/", PHONE);
  const overflow = () => page.evaluate(() => document.documentElement.scrollWidth - innerWidth);
  assert.equal(await overflow(), 0, "no horizontal scrolling");
  for (const id of ["#q", "#by-image", "#camera", "#from-year"]) {
    const box = await page.locator(id).boundingBox();
    assert.ok(box && box.x >= 0 && box.x + box.width <= PHONE.width, `${id} is on screen`);
  }
  const columns = await page.locator("#results .tile").evaluateAll((t) => new Set(t.slice(0, 6).map((e) => e.offsetTop)).size);
  assert.ok(columns <= 3, "two columns on a phone");
  await shoot(page, "phone-landing");
  await page.locator("#results .tile").first().click();
  await page.waitForSelector("#view-tags li:not(.note)");
  await page.waitForFunction(() => document.getElementById("view-image").naturalWidth > 0);
  const closeBox = await page.locator("#close").boundingBox();
  assert.ok(closeBox.x + closeBox.width <= PHONE.width, "close is on screen");
  assert.equal(await overflow(), 0);
  await shoot(page, "phone-viewer");
  await page.keyboard.press("Escape");
  await page.fill("#q", "a photo of a cat");
  await page.press("#q", "Enter");
  await settled(page);
  assert.equal(await overflow(), 0);
  await shoot(page, "phone-grid");
  await done(page);
});

test("keyboard: / focuses the search, one Tab stop per photo, visible focus everywhere, arrows move in the grid", async () => {
  const page = await open("/");
  await page.keyboard.press("/");
  assert.equal(await page.evaluate(() => document.activeElement.id), "q");
  const focused = () => page.evaluate(() => {
    const e = document.activeElement;
    const box = e.getBoundingClientRect();
    const style = getComputedStyle(e);
    return { id: e.id, tile: e.classList.contains("tile"), index: e.dataset.index, width: box.width, height: box.height,
      outline: style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2 };
  });
  const stops = [];
  for (let i = 0; i < 30; i++) {
    await page.keyboard.press("Tab");
    const f = await focused();
    stops.push(f);
    assert.ok(f.width > 8 && f.height > 8, `every stop is visible (${JSON.stringify(f)})`);
    assert.ok(f.outline, `every stop shows a focus ring (${JSON.stringify(f)})`);
    if (f.tile && f.index === "3") break;
  }
  const tiles = stops.filter((s) => s.tile).map((s) => s.index);
  assert.deepEqual(tiles, ["0", "1", "2", "3"], "one stop per photo, in order");
  assert.ok(stops.some((s) => s.id === "by-image"), "By image… is a real, focusable button");
  await page.keyboard.press("ArrowRight");
  assert.equal((await focused()).index, "4");
  await page.keyboard.press("ArrowLeft");
  await page.keyboard.press("ArrowDown");
  const below = await focused();
  const geometry = await page.evaluate((i) => {
    const t = document.querySelectorAll("#results .tile");
    return [t[3].offsetTop, t[Number(i)].offsetTop, t[3].offsetLeft, t[Number(i)].offsetLeft];
  }, below.index);
  assert.ok(geometry[1] > geometry[0], "ArrowDown goes to the next row");
  await page.keyboard.press("Enter");
  await page.locator("#viewer").waitFor({ state: "visible" });
  assert.equal(await viewerName(page), await tileName(page, Number(below.index)), "Enter opens the viewer");
  await done(page);
});

test("states: empty with a way out, daemon stopped, and back when it answers again", async () => {
  const page = await open("/?camera=no-such-camera");
  assert.match(await message(page), /^No photos matching the filters\./);
  await page.click("#message button");
  await settled(page);
  assert.match(await message(page), /in your library/);

  await page.route("**/api/**", (route) => route.abort("connectionrefused"));
  await page.fill("#q", "a photo of a cat");
  await page.press("#q", "Enter");
  await settled(page);
  assert.match(await message(page), /^clipd is not running: start it with clipd serve/);
  await page.waitForFunction(() => /clipd is not answering/.test(document.getElementById("status").textContent));
  await shoot(page, "desktop-daemon-stopped");
  await page.unroute("**/api/**");
  await page.waitForFunction(() => !document.body.classList.contains("down"), null, { timeout: 10_000 });
  await settled(page);
  assert.match(await message(page), /for “a photo of a cat”/, "the search runs again by itself");
  await done(page);
});

test("without a session the page says how to sign in", async () => {
  const context = await browser.newContext({ viewport: DESKTOP });
  const page = await context.newPage();
  const unauthenticated = await page.request.get(`${BASE}/api/status`);
  if (unauthenticated.status() !== 401) {
    // a daemon without sign-in: answer as one with it would
    await page.route("**/api/**", (route) => route.fulfill({ status: 401, contentType: "application/json",
      body: JSON.stringify({ error: "unauthorized", message: "run clipd open to sign in" }) }));
  }
  await page.goto(`${BASE}/`);
  await page.locator("#signin").waitFor({ state: "visible" });
  assert.match(await page.locator("#signin").textContent(), /run clipd open/);
  assert.ok(await page.locator("#results").isHidden());
  await context.close();
});

// ---- the Duplicates view: SearchPageBrowserTest adds photos/alike/ (cake.jpg re-encoded at quality 60 and at half
// size, a byte copy of books.jpg); camera.jpg has no duplicate ----

const duplicatesApi = (page, query = "") => page.evaluate(async (q) => (await fetch(`/api/duplicates${q}`)).json(), query);

// What the view shows, group by group.
const shownGroups = (page) => page.locator("#groups > li").evaluateAll((groups) => groups.map((g) => ({
  title: g.querySelector("h3").textContent,
  exact: g.classList.contains("exact"),
  members: [...g.querySelectorAll(".member")].map((m) => {
    const facts = {};
    const terms = m.querySelectorAll("dt");
    terms.forEach((dt) => { facts[dt.textContent] = dt.nextElementSibling.textContent; });
    return { keeper: m.classList.contains("keeper"), badge: m.querySelector(".badge").textContent, facts,
      href: m.querySelector("a").getAttribute("href"), top: m.offsetTop };
  }),
})));

const groupOf = (groups, file) => groups.find((g) => g.members.some((m) => m.facts.File === file));

test("duplicates: groups side by side with their facts, the keeper marked, the rule stated; paths copied, nothing deleted", async () => {
  const page = await open("/");
  await page.context().grantPermissions(["clipboard-read", "clipboard-write"], { origin: BASE });
  await page.click("#to-duplicates");
  await settled(page);
  assert.match(page.url(), /\?view=duplicates$/);
  const answer = await duplicatesApi(page);
  assert.ok(answer.groups.length >= 2, "the variants make groups");
  const photos = answer.groups.reduce((n, g) => n + g.members.length, 0);
  const exact = answer.groups.filter((g) => g.kind === "exact").length;
  assert.match(await message(page), new RegExp(`^${answer.groups.length} groups of photos that look the same `
    + `\\(${exact} of exact copies\\) · ${photos} photos · cosine ≥ 0\\.900$`));
  assert.equal(await page.locator("#keep-rule").textContent(), answer.keep_rule);
  assert.match(await page.locator("#duplicates").textContent(), /Suggested keeper: the most pixels, then the largest file/);
  assert.equal(await page.inputValue("#threshold"), "0.9", "the daemon's threshold");
  assert.ok(await page.locator("#results").isHidden() && await page.locator("#filters").isHidden(), "the search grid gives way");

  const groups = await shownGroups(page);
  assert.equal(groups.length, answer.groups.length);
  for (const [i, g] of groups.entries()) {
    const api = answer.groups[i];
    assert.equal(g.exact, api.kind === "exact");
    assert.equal(g.title, `${i + 1}. ${api.kind === "exact" ? "Exact copies" : "Look alike"} · ${api.members.length} photos`);
    assert.deepEqual(g.members.map((m) => m.keeper), api.members.map((m) => m.keep), "the API's keeper is marked");
    assert.equal(g.members.filter((m) => m.keeper).length, 1, "one suggested keeper a group, first");
    assert.equal(g.members[0].badge, "Suggested keeper");
    assert.deepEqual(g.members.map((m) => m.href), api.members.map((m) => `/api/photos/${m.id}/file`));
    for (const m of g.members) {
      assert.deepEqual(Object.keys(m.facts).slice(0, 5), ["File", "Folder", "Size", "Pixels", "Taken"]);
    }
  }

  const cake = groupOf(groups, "cake.jpg");
  assert.ok(cake, "the cake's re-encodes are found");
  assert.equal(cake.exact, false);
  assert.deepEqual(cake.members.map((m) => m.facts.File).sort(), ["cake-half.jpg", "cake-q60.jpg", "cake.jpg"],
    "the re-encode and the half-size copy join the original, nothing else does");
  assert.equal(cake.members[0].facts.File, "cake.jpg", "the original: as many pixels as the re-encode, a larger file");
  const [w, h] = cake.members[0].facts.Pixels.split(" × ").map(Number);
  assert.equal(cake.members.find((m) => m.facts.File === "cake-half.jpg").facts.Pixels, `${w / 2} × ${h / 2}`);
  assert.ok(cake.members.slice(1).every((m) => /^Likeness to the keeper: (0\.9\d{3}|1\.0000)$/.test(m.badge)));
  assert.ok(new Set(cake.members.map((m) => m.top)).size === 1, "side by side");
  const books = groupOf(groups, "books copy.jpg");
  assert.ok(books && books.exact, "a byte copy is an exact group");
  assert.equal(books.title.replace(/^\d+\. /, ""), "Exact copies · 2 photos");
  assert.deepEqual(books.members.map((m) => m.facts.File).sort(), ["books copy.jpg", "books.jpg"]);
  assert.equal(groupOf(groups, "camera.jpg"), undefined, "a photo with no duplicate is in no group");
  assert.ok(answer.groups.every((g) => g.members.every((m) => !m.path.endsWith("/camera.jpg"))));

  const cakeGroup = page.locator("#groups > li", { has: page.locator("dd", { hasText: /^cake-q60\.jpg$/ }) });
  const cakePaths = answer.groups.find((g) => g.members.some((m) => m.path.endsWith("/alike/cake-q60.jpg")))
    .members.map((m) => m.path);
  await cakeGroup.getByRole("button", { name: "Copy the paths" }).click();
  await cakeGroup.locator(".note", { hasText: "3 paths copied" }).waitFor();
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), cakePaths.join("\n"));
  await cakeGroup.getByRole("button", { name: "Copy all but the keeper" }).click();
  await cakeGroup.locator(".note", { hasText: "2 paths copied" }).waitFor();
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), cakePaths.slice(1).join("\n"));
  const actions = await page.locator("#duplicates :is(button, a)").allTextContents();
  assert.ok(actions.every((t) => !/delete|remove|move|trash|bin/i.test(t)), `read-only: ${actions}`);
  await shoot(page, "desktop-duplicates");

  await page.reload();
  await settled(page);
  assert.equal((await shownGroups(page)).length, answer.groups.length, "the view survives reload");
  await page.goBack();
  await settled(page);
  assert.match(await message(page), /in your library, newest first/, "Back returns to the search");
  assert.ok(await page.locator("#duplicates").isHidden());
  await page.goForward();
  await settled(page);
  assert.ok(await page.locator("#duplicates").isVisible());
  await done(page);
});

test("duplicates: a stricter likeness in the URL, the grouping still running, and a bad threshold", async () => {
  const page = await open("/?view=duplicates");
  await page.fill("#threshold", "0.999");
  await page.press("#threshold", "Enter");
  await settled(page);
  assert.match(page.url(), /view=duplicates&threshold=0\.999$/);
  const strict = await duplicatesApi(page, "?threshold=0.999");
  assert.equal(await page.locator("#groups > li").count(), strict.groups.length);
  assert.ok(strict.groups.length < (await duplicatesApi(page)).groups.length, "fewer groups when stricter");
  assert.match(await message(page), / · cosine ≥ 0\.999$/);
  assert.ok(groupOf(await shownGroups(page), "cake-q60.jpg"), "the re-encode is alike even so");

  let answered = 0;
  await page.route("**/api/duplicates*", (route) => answered++ === 0
    ? route.fulfill({ status: 503, contentType: "application/json",
      body: JSON.stringify({ error: "duplicates_not_ready", message: "clipd is still grouping the library; try again shortly" }) })
    : route.continue());
  await page.reload();
  await page.waitForFunction(() => /still grouping/.test(document.getElementById("message").textContent));
  await settled(page);
  assert.ok(answered >= 2, "asked again by itself");
  assert.equal(await page.locator("#groups > li").count(), strict.groups.length);
  await page.unroute("**/api/duplicates*");

  await page.fill("#threshold", "0.5");
  await page.press("#threshold", "Enter");
  await settled(page);
  assert.match(await message(page), /^threshold must be a cosine from 0\.900/);
  assert.equal(await page.locator("#message button").textContent(), "Retry");
  await done(page);
});

test("duplicates by keyboard: the view from a Tab stop, focus on its heading, every stop visible, copy with Enter", async () => {
  const page = await open("/");
  await page.context().grantPermissions(["clipboard-read", "clipboard-write"], { origin: BASE });
  const focused = () => page.evaluate(() => {
    const e = document.activeElement;
    const box = e.getBoundingClientRect();
    const style = getComputedStyle(e);
    return { id: e.id, text: e.textContent.trim(), tag: e.tagName, width: box.width, height: box.height,
      outline: style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2 };
  });
  for (let i = 0; i < 10 && (await focused()).id !== "to-duplicates"; i++) await page.keyboard.press("Tab");
  assert.equal((await focused()).id, "to-duplicates", "the Duplicates view is a Tab stop in the header");
  await page.keyboard.press("Enter");
  await settled(page);
  assert.equal((await focused()).id, "duplicates-title", "focus moves to the view's heading");
  const stops = [];
  for (let i = 0; i < 12; i++) {
    await page.keyboard.press("Tab");
    const f = await focused();
    stops.push(f);
    assert.ok(f.width > 8 && f.height > 8 && f.outline, `every stop is visible with a focus ring (${JSON.stringify(f)})`);
  }
  const texts = stops.map((s) => s.text || s.tag);
  assert.deepEqual(texts.slice(0, 4), ["INPUT", "Show", "Copy the paths", "Copy all but the keeper"], texts.join(" | "));
  assert.equal(stops[4].tag, "A", "then each photo of the group, opening its original");
  for (let i = stops.length - 1; i > 3; i--) await page.keyboard.press("Shift+Tab");
  assert.equal((await focused()).text, "Copy all but the keeper");
  await page.keyboard.press("Enter");
  const answer = await duplicatesApi(page);
  await page.waitForFunction(() => /copied/.test(document.querySelector("#groups .note").textContent));
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()),
    answer.groups[0].members.slice(1).map((m) => m.path).join("\n"));
  await done(page);
});

test("duplicates on a phone at 360 px: no horizontal overflow; without a session, the sign-in note", async () => {
  const page = await open("/?view=duplicates", PHONE);
  assert.equal(await page.evaluate(() => document.documentElement.scrollWidth - innerWidth), 0, "no horizontal scrolling");
  const box = await page.locator("#groups .member").first().boundingBox();
  assert.ok(box.x >= 0 && box.x + box.width <= PHONE.width, "a photo's card fits");
  await shoot(page, "phone-duplicates");
  await done(page);

  const context = await browser.newContext({ viewport: DESKTOP });
  const anonymous = await context.newPage();
  if ((await anonymous.request.get(`${BASE}/api/duplicates`)).status() !== 401) {
    await anonymous.route("**/api/**", (route) => route.fulfill({ status: 401, contentType: "application/json",
      body: JSON.stringify({ error: "unauthorized", message: "run clipd open to sign in" }) }));
  }
  await anonymous.goto(`${BASE}/?view=duplicates`);
  await anonymous.locator("#signin").waitFor({ state: "visible" });
  assert.ok(await anonymous.locator("#duplicates").isHidden(), "no groups without a session");
  await context.close();
});
