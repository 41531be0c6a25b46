// Tenor's live page: polls /api/view every 1.5 s with the filters and redraws the four panels.
//
// Safety rule: record text only ever reaches the page as text nodes (createTextNode / textContent), never as
// markup; every text element gets dir="auto" and the CSS isolates it, so right-to-left text cannot reorder the
// layout around it. The server clips long strings and its Content-Security-Policy allows no other script.
"use strict";

const POLL_MS = 1500;
let lastBody = "";
let lastQuery = "";

// el("p", {class: "x"}, "text", otherNode): an element with attributes (never innerHTML) and children, where
// strings become text nodes.
function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value !== null && value !== undefined) node.setAttribute(key, value);
  }
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    node.appendChild(typeof child === "string" || typeof child === "number" ? document.createTextNode(String(child)) : child);
  }
  return node;
}

// Record text: isolated, direction from its own first strong character.
function txt(tag, value, cls) {
  return el(tag, { class: cls ? "t " + cls : "t", dir: "auto" }, value || "");
}

function stanceClass(label) {
  return label === "negative" || label === "positive" || label === "neutral" ? label : "unknown";
}

function pct(x) {
  return typeof x === "number" && isFinite(x) ? Math.round(x * 100) + "%" : "";
}

function stanceLabel(label, confidence) {
  if (!label) return el("span", { class: "label" }, "unscored");
  return el("span", { class: "label " + stanceClass(label) }, label + (confidence !== null && confidence !== undefined ? " " + pct(confidence) : ""));
}

function when(iso) {
  if (!iso) return "";
  const d = new Date(iso);
  if (isNaN(d.getTime())) return "";
  return d.toISOString().slice(0, 16).replace("T", " ") + " UTC";
}

function sentenceLink(anchor, label) {
  return el("a", { href: "#" + encodeURIComponent(anchor) }, label);
}

function mixBar(mix) {
  const total = mix.negative + mix.neutral + mix.positive;
  const bar = el("div", { class: "mix", role: "img",
    "aria-label": `${mix.negative} negative, ${mix.neutral} neutral, ${mix.positive} positive` });
  for (const k of ["negative", "neutral", "positive"]) {
    const part = el("span", { class: k, title: `${mix[k]} ${k}` });
    part.style.width = total ? (100 * mix[k] / total) + "%" : "0";
    bar.appendChild(part);
  }
  return bar;
}

function plural(n, word) {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

function emptyNote(text) {
  return el("p", { class: "empty" }, text);
}

function renderArticles(articles) {
  const box = document.getElementById("articles");
  box.replaceChildren();
  if (!articles.length) box.appendChild(emptyNote("No articles match."));
  for (const a of articles) {
    const head = el("h3", {}, txt("span", a.title || a.id, "title"));
    const meta = el("div", { class: "meta" },
      txt("span", a.source || "unknown source", "source"), " · ", when(a.time), " · ", txt("span", a.id, "id"),
      a.sentences !== null ? ` · ${plural(a.sentences, "sentence")}, ${plural(a.claims.length, "claim")} shown` : "");
    if (a.url) {
      meta.appendChild(document.createTextNode(" · "));
      meta.appendChild(el("a", { href: a.url, rel: "noopener noreferrer nofollow", target: "_blank" }, "original"));
    }
    const list = el("ol", { class: "claims" });
    for (const c of a.claims) {
      const who = c.speaker
        ? el("span", { class: "who" }, "— ", txt("span", c.speaker, "speaker"), c.cue ? " (" : "", c.cue ? txt("span", c.cue, "cue") : null, c.cue ? ")" : "")
        : el("span", { class: "who meta" }, "no speaker");
      const item = el("li", { class: "claim " + stanceClass(c.stance), id: c.anchor },
        txt("q", c.text, "claim-text"),
        el("div", { class: "meta" }, stanceLabel(c.stance, c.confidence), who,
          c.hedges.length ? el("span", { class: "hedge" }, " · hedged: ", txt("span", c.hedges.join(", "))) : null,
          " · ", sentenceLink(c.anchor, `sentence ${c.index}`)));
      list.appendChild(item);
    }
    box.appendChild(el("article", { class: "article", id: a.anchor }, head, meta, list));
  }
}

function renderSpeakers(speakers) {
  const box = document.getElementById("speakers");
  box.replaceChildren();
  if (!speakers.length) box.appendChild(emptyNote("No attributed claims match."));
  for (const s of speakers) {
    const button = el("button", { type: "button", class: "speaker-name", dir: "auto", "data-speaker": s.name });
    button.appendChild(txt("span", s.name));
    button.addEventListener("click", () => setSpeaker(s.name));
    const series = el("div", { class: "series", "aria-hidden": "true" });
    const peak = Math.max(1, ...s.series.map((m) => m.negative + m.neutral + m.positive));
    for (const m of s.series) {
      const col = el("div", { class: "col" });
      for (const k of ["negative", "neutral", "positive"]) {
        const part = el("span", { class: k });
        part.style.height = (1.6 * m[k] / peak) + "rem";
        col.appendChild(part);
      }
      series.appendChild(col);
    }
    box.appendChild(el("div", { class: "speaker-row" },
      el("div", {}, button, el("div", { class: "count" }, plural(s.claims, "claim"),
        s.sources.length ? " · " : "", s.sources.length ? txt("span", s.sources.join(", ")) : null)),
      mixBar(s.mix), series));
  }
}

function renderClusters(clusters) {
  const box = document.getElementById("clusters");
  box.replaceChildren();
  if (!clusters.length) box.appendChild(emptyNote("No claim clusters match."));
  for (const c of clusters) {
    box.appendChild(el("div", { class: "cluster", id: "cluster-" + c.id },
      txt("p", c.canonical.text, "canonical"),
      el("div", { class: "meta" }, `${plural(c.outlet_count, "outlet")} · ${plural(c.members, "member")} · `,
        txt("span", c.outlets.join(", "), "outlets")),
      mixBar(c.mix),
      el("div", { class: "meta" }, "first seen: ",
        sentenceLink(c.first_seen.anchor, (c.first_seen.source || c.first_seen.article_id) + ", " + when(c.first_seen.time)),
        " · latest: ", sentenceLink(c.latest.anchor, (c.latest.source || c.latest.article_id) + ", " + when(c.latest.time)))));
  }
}

function renderTensions(tensions) {
  const box = document.getElementById("tensions");
  box.replaceChildren();
  if (!tensions.length) box.appendChild(emptyNote("No tensions match."));
  for (const t of tensions) {
    const sides = el("div", { class: "sides" });
    for (const s of t.sides) {
      sides.appendChild(el("figure", { class: "side " + stanceClass(s.stance) },
        el("blockquote", {}, txt("span", s.text, "quote")),
        el("figcaption", { class: "meta" }, stanceLabel(s.stance, s.confidence),
          s.speaker ? txt("span", s.speaker, "speaker") : "no speaker", " · ",
          txt("span", s.source || "unknown source", "source"), " · ",
          sentenceLink(s.anchor, "in its article"))));
    }
    box.appendChild(el("div", { class: "tension" },
      el("div", {}, "On ", txt("span", t.subject, "subject"),
        el("span", { class: "meta" }, ` · ${t.scope || ""} · score ${typeof t.score === "number" ? t.score.toFixed(2) : ""}`)),
      sides));
  }
}

// A filter menu: keeps the chosen value even when the data no longer holds it.
function fillSelect(id, values, allLabel) {
  const select = document.getElementById(id);
  const chosen = select.value;
  const wanted = [""].concat(values);
  if (chosen && !values.includes(chosen)) wanted.push(chosen);
  const current = Array.from(select.options).map((o) => o.value);
  if (current.length === wanted.length && current.every((v, i) => v === wanted[i])) return;
  select.replaceChildren();
  for (const v of wanted) {
    const option = el("option", { value: v }, v === "" ? allLabel : v);
    select.appendChild(option);
  }
  select.value = chosen;
}

function queryString() {
  const params = new URLSearchParams();
  const pairs = [["source", "filter-source"], ["speaker", "filter-speaker"], ["from", "filter-from"], ["to", "filter-to"]];
  for (const [key, id] of pairs) {
    const v = document.getElementById(id).value;
    if (v) params.set(key, v);
  }
  return params.toString();
}

function highlightTarget() {
  for (const old of document.querySelectorAll(".focus")) old.classList.remove("focus");
  const id = decodeURIComponent(location.hash.slice(1));
  if (!id) return null;
  const target = document.getElementById(id);
  if (target) target.classList.add("focus");
  return target;
}

function render(view) {
  fillSelect("filter-source", view.all_sources, "All sources");
  fillSelect("filter-speaker", view.all_speakers, "All speakers");
  renderArticles(view.articles);
  renderSpeakers(view.speakers);
  renderClusters(view.clusters);
  renderTensions(view.tensions);
  highlightTarget();
}

function setStatus(text, error) {
  const status = document.getElementById("status");
  status.textContent = text;
  status.classList.toggle("error", !!error);
}

async function poll() {
  const query = queryString();
  try {
    const response = await fetch("/api/view" + (query ? "?" + query : ""), { cache: "no-store" });
    const body = await response.text();
    if (!response.ok) {
      let message = body;
      try { message = JSON.parse(body).error || body; } catch (_) { /* plain text */ }
      setStatus("The filters were not understood: " + message, true);
    } else {
      const view = JSON.parse(body);
      if (body !== lastBody || query !== lastQuery) {
        render(view);
        lastBody = body;
        lastQuery = query;
      }
      const t = view.totals;
      setStatus(`${plural(t.records, "record")} · ${plural(t.articles, "article")} · ${plural(t.clusters, "claim cluster")} · ${plural(t.tensions, "tension")}` +
        (t.invalid ? ` · ${t.invalid} unreadable` : "") + " · live");
    }
  } catch (error) {
    setStatus("Cannot reach tenor ui; retrying…", true);
  }
}

let timer = null;
function refreshSoon() {
  if (timer) clearTimeout(timer);
  poll().finally(() => { timer = setTimeout(refreshSoon, POLL_MS); });
}

function setSpeaker(name) {
  fillSelect("filter-speaker", Array.from(document.getElementById("filter-speaker").options).map((o) => o.value).filter((v) => v).concat([name]), "All speakers");
  document.getElementById("filter-speaker").value = name;
  refreshSoon();
}

document.addEventListener("DOMContentLoaded", () => {
  for (const id of ["filter-source", "filter-speaker", "filter-from", "filter-to"]) {
    document.getElementById(id).addEventListener("change", refreshSoon);
  }
  document.getElementById("filter-clear").addEventListener("click", () => {
    for (const id of ["filter-source", "filter-speaker", "filter-from", "filter-to"]) document.getElementById(id).value = "";
    refreshSoon();
  });
  window.addEventListener("hashchange", () => {
    const target = highlightTarget();
    if (target) target.scrollIntoView({ block: "center" });
  });
  refreshSoon();
});
