/// `GET /functions/v1/_status`: the page an operator opens first — one self-contained HTML
/// file (no build step, no CDN: it works offline) that reads `_health`, `_metrics` and
/// `_status/failures` every 5 s. A verdict at the top; what runs (backend, version); rates over
/// the last minutes with small charts (kept in the browser's localStorage, so they span hours
/// across reloads); requests, 4xx and 5xx per function; identification by outcome (matched by
/// which step, contact fallback, ambiguous — an unknown number is not a failure); webhook
/// outcomes by reason; jobs and the queue; the latest job failures; contact merges. Served by any pool, local
/// addresses only (nginx).
package enum StatusPage {
    package static let html = #"""
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <title>userbuckets status</title>
        <style>
          body { font: 14px/1.45 system-ui, sans-serif; margin: 1.5em 2em; color: #1d2330; background: #fafbfc; }
          h1 { font-size: 1.3em; margin: 0 0 .6em; } h2 { font-size: 1em; margin: 1.6em 0 .5em; }
          #verdict { padding: .8em 1em; border-radius: 6px; font-size: 1.15em; font-weight: 600; }
          #verdict.ok { background: #e3f6e8; color: #17602d; } #verdict.bad { background: #fde8e8; color: #8a1c1c; }
          #verdict.unknown { background: #eef0f3; color: #555; }
          .muted { color: #778; font-weight: normal; } .grid { display: flex; flex-wrap: wrap; gap: .8em; }
          .tile { background: #fff; border: 1px solid #e3e6ea; border-radius: 6px; padding: .6em .8em; min-width: 13em; }
          .tile .value { font-size: 1.5em; font-weight: 600; } .tile svg { display: block; margin-top: .3em; }
          table { border-collapse: collapse; background: #fff; } td, th { padding: .25em .8em; border-bottom: 1px solid #e6e8eb; text-align: right; }
          th:first-child, td:first-child { text-align: left; } .big { font-size: 1.4em; font-weight: 600; }
          #failures td:last-child, #failures th:last-child { text-align: left; }
        </style>
        </head>
        <body>
        <h1>userbuckets <span class="muted" id="updated">loading…</span></h1>
        <div id="verdict" class="unknown">checking…</div>
        <p class="muted" id="running"></p>
        <h2>Rates <span class="muted">(per minute over the last 5 minutes, the last hour and 6 hours, as long as this browser has watched; charts: the last hour)</span></h2>
        <div class="grid" id="tiles"></div>
        <h2>Requests by function <span class="muted">(since the pools first started)</span></h2>
        <table id="functions"><tr><th>function</th><th>requests</th><th>4xx</th><th>5xx</th><th>p50</th><th>p95</th><th>p99</th><th>answered by nginx</th></tr></table>
        <h2>Identification by outcome</h2>
        <table id="identification"><tr><th>outcome</th><th>count</th><th>share</th></tr></table>
        <h2>Buckets and webhook deliveries</h2>
        <table>
          <tr><th>buckets created</th><td class="big" id="buckets-created">–</td><td id="bucket-failures" class="muted"></td></tr>
          <tr><th>webhook messages stored</th><td class="big" id="webhook-stored">–</td><td id="webhook-other" class="muted"></td></tr>
        </table>
        <table id="webhook"><tr><th>webhook outcome</th><th>reason or status</th><th>count</th></tr></table>
        <h2>Jobs</h2>
        <table>
          <tr><th>jobs done / failed</th><td class="big" id="jobs">–</td><td id="jobs-other" class="muted"></td></tr>
          <tr><th>jobs waiting / failed in the queue</th><td class="big" id="queue">–</td><td class="muted">now</td></tr>
        </table>
        <table id="failures"><tr><th>latest failed job</th><th>kind</th><th>attempts</th><th>reason</th></tr></table>
        <h2>Contact merges <span class="muted">(contact buckets emptied into their user's once the number is linked)</span></h2>
        <table>
          <tr><th>merges done / failed</th><td class="big" id="merges">–</td><td id="merges-other" class="muted"></td></tr>
          <tr><th>objects moved</th><td class="big" id="merge-objects">–</td><td class="muted"></td></tr>
          <tr><th>contact buckets open / merging / ambiguous</th><td class="big" id="contact-buckets">–</td><td id="contact-merged" class="muted">now</td></tr>
        </table>
        <script>
        "use strict";
        const STEP_NAMES = { mapping: "matched: mapping", profile_whatsapp: "matched: profile WhatsApp", profile_phone: "matched: profile phone",
          meeting_notes: "matched: meeting notes", none: "contact fallback (unknown number)", ambiguous: "ambiguous (several users)" };
        function parse(text) {
          const series = [];
          for (const line of text.split("\n")) {
            if (!line || line.startsWith("#")) continue;
            const m = line.match(/^([a-z_]+)(?:\{(.*)\})? (\S+)$/);
            if (!m) continue;
            const labels = {};
            for (const pair of (m[2] || "").matchAll(/([a-z_]+)="([^"]*)"/g)) labels[pair[1]] = pair[2];
            series.push({ name: m[1], labels, value: Number(m[3]) });
          }
          return series;
        }
        function sum(series, name, test) {
          return series.filter(s => s.name === name && (!test || test(s.labels))).reduce((a, s) => a + s.value, 0);
        }
        function percentile(buckets, q) {
          const total = buckets.length ? buckets[buckets.length - 1].value : 0;
          if (!total) return "–";
          const hit = buckets.find(b => b.value >= q * total);
          return hit.le === "+Inf" ? "> 10 s" : "≤ " + (Number(hit.le) * 1000).toFixed(1) + " ms";
        }
        function set(id, text) { document.getElementById(id).textContent = text; }
        function clear(table) { while (table.rows.length > 1) table.deleteRow(1); }
        function row(table, cells, id) {
          const r = table.insertRow();
          if (id) r.id = id;
          for (const text of cells) r.insertCell().textContent = String(text);
        }
        // Samples of the counters the tiles chart, one per refresh, kept an hour (and across reloads).
        const KEY = "userbuckets-status-samples";
        let samples = [];
        try { samples = JSON.parse(localStorage.getItem(KEY) || "[]"); } catch (e) { samples = []; }
        function remember(sample) {
          samples.push(sample);
          const kept = sample.t - 6 * 3600 * 1000;  // six hours of history
          samples = samples.filter(s => s.t >= kept);
          // A scrape lower than the last one: a host's metrics were reset; start the history over.
          if (samples.length > 1 && samples[samples.length - 1].requests < samples[samples.length - 2].requests) samples = [sample];
          try { localStorage.setItem(KEY, JSON.stringify(samples)); } catch (e) { /* private mode: history lives in memory */ }
        }
        function perMinute(key, windowMs) {
          if (samples.length < 2) return null;
          const last = samples[samples.length - 1];
          const first = samples.find(s => s.t >= last.t - windowMs) || samples[0];
          if (last.t === first.t) return null;
          return (last[key] - first[key]) / ((last.t - first.t) / 60000);
        }
        function sparkline(key) {
          const points = [];
          const hour = samples.filter(s => s.t >= samples[samples.length - 1].t - 3600 * 1000);
          for (let i = 1; i < hour.length; i++) {
            const dt = (hour[i].t - hour[i - 1].t) / 60000;
            points.push(dt > 0 ? Math.max(0, hour[i][key] - hour[i - 1][key]) / dt : 0);
          }
          const width = 160, height = 28, max = Math.max(1, ...points);
          const ns = "http://www.w3.org/2000/svg";
          const svg = document.createElementNS(ns, "svg");
          svg.setAttribute("width", width); svg.setAttribute("height", height);
          const line = document.createElementNS(ns, "polyline");
          line.setAttribute("fill", "none"); line.setAttribute("stroke", "#3b6fd8"); line.setAttribute("stroke-width", "1.5");
          line.setAttribute("points", points.map((p, i) => [(i / Math.max(1, points.length - 1)) * width, height - 2 - (p / max) * (height - 4)].join(",")).join(" "));
          svg.appendChild(line);
          return svg;
        }
        const TILES = [
          ["requests", "requests"], ["errors4xx", "4xx answers"], ["errors5xx", "5xx answers"], ["identifications", "identifications"],
          ["matched", "matched a user"], ["fallback", "contact fallback"], ["stored", "webhook messages stored"],
          ["jobsDone", "jobs done"], ["jobsFailed", "jobs failed"], ["created", "buckets created"], ["nginx", "answered by nginx"],
        ];
        function drawTiles(queueDepth) {
          const tiles = document.getElementById("tiles");
          tiles.textContent = "";
          for (const [key, label] of TILES) {
            const rate = perMinute(key, 5 * 60000);
            const hourly = perMinute(key, 60 * 60000);
            const sixHours = perMinute(key, 6 * 60 * 60000);
            const tile = document.createElement("div");
            tile.className = "tile"; tile.id = "tile-" + key;
            tile.innerHTML = '<div class="muted"></div><div class="value"></div><div class="muted"></div>';
            tile.children[0].textContent = label;
            tile.children[1].textContent = rate === null ? "–" : rate.toFixed(rate < 10 ? 1 : 0) + " /min";
            const shown = r => r === null ? "–" : r.toFixed(r < 10 ? 1 : 0);
            tile.children[2].textContent = "last hour " + shown(hourly) + " · 6 h " + shown(sixHours) + " /min";
            tile.appendChild(sparkline(key));
            tiles.appendChild(tile);
          }
          const queue = document.createElement("div");
          queue.className = "tile"; queue.id = "tile-queue";
          queue.innerHTML = '<div class="muted">jobs waiting now</div><div class="value"></div>';
          queue.children[1].textContent = String(queueDepth);
          tiles.appendChild(queue);
        }
        function verdict(health) {
          const box = document.getElementById("verdict");
          if (!health) { box.className = "unknown"; box.textContent = "Health unknown: _health did not answer"; return; }
          const problems = [];
          if (!health.database.reachable) problems.push("the database is unreachable");
          if (!health.storage.reachable) problems.push("the storage is unreachable");
          for (const [pool, state] of Object.entries(health.pools)) {
            if (!state.ok) problems.push(pool + ": " + state.live + " of " + state.configured + " workers up");
          }
          box.className = problems.length ? "bad" : "ok";
          box.textContent = problems.length ? "Degraded — " + problems.join("; ") : "All well — database, storage and every pool up";
          set("running", "storage backend " + health.storage.backend + " · version " + health.version);
        }
        async function getJSON(path) {
          try { const r = await fetch(path, { cache: "no-store" }); return await r.json(); } catch (e) { return null; }
        }
        async function refresh() {
          try {
            const [health, text, failures] = await Promise.all([
              getJSON("_health"), fetch("_metrics", { cache: "no-store" }).then(r => r.text()), getJSON("_status/failures")]);
            verdict(health);
            const series = parse(text);
            const byOutcome = o => sum(series, "userbuckets_identifications_total", l => l.outcome === o);
            const identifications = sum(series, "userbuckets_identifications_total");
            const matched = ["mapping", "profile_whatsapp", "profile_phone", "meeting_notes"].reduce((a, o) => a + byOutcome(o), 0);
            remember({ t: Date.now(), requests: sum(series, "userbuckets_requests_total"),
              errors4xx: sum(series, "userbuckets_requests_total", l => l.status.startsWith("4")),
              errors5xx: sum(series, "userbuckets_requests_total", l => l.status.startsWith("5")),
              identifications, matched, fallback: byOutcome("none"),
              stored: sum(series, "userbuckets_webhook_messages_total", l => l.outcome === "stored"),
              jobsDone: sum(series, "userbuckets_jobs_total", l => l.outcome === "done"),
              jobsFailed: sum(series, "userbuckets_jobs_total", l => l.outcome === "failed"),
              created: sum(series, "userbuckets_bucket_ensures_total", l => l.outcome === "created"),
              nginx: sum(series, "userbuckets_nginx_answers_total") });
            const queued = sum(series, "userbuckets_jobs_in_queue", l => l.state === "queued" || l.state === "running");
            drawTiles(queued);

            const table = document.getElementById("functions");
            clear(table);
            const functions = [...new Set(series.filter(s => s.name === "userbuckets_requests_total" || s.name === "userbuckets_nginx_answers_total")
              .map(s => s.labels.function))].sort();
            for (const fn of functions) {
              const buckets = series.filter(s => s.name === "userbuckets_request_duration_seconds_bucket" && s.labels.function === fn)
                .map(s => ({ le: s.labels.le, value: s.value }))
                .sort((a, b) => (a.le === "+Inf" ? Infinity : Number(a.le)) - (b.le === "+Inf" ? Infinity : Number(b.le)));
              row(table, [fn, sum(series, "userbuckets_requests_total", l => l.function === fn),
                sum(series, "userbuckets_requests_total", l => l.function === fn && l.status.startsWith("4")),
                sum(series, "userbuckets_requests_total", l => l.function === fn && l.status.startsWith("5")),
                percentile(buckets, 0.5), percentile(buckets, 0.95), percentile(buckets, 0.99),
                sum(series, "userbuckets_nginx_answers_total", l => l.function === fn)], "fn-" + fn);
            }
            const ident = document.getElementById("identification");
            clear(ident);
            for (const outcome of Object.keys(STEP_NAMES)) {
              const count = byOutcome(outcome);
              row(ident, [STEP_NAMES[outcome], count, identifications ? (100 * count / identifications).toFixed(1) + " %" : "–"], "ident-" + outcome);
            }
            set("buckets-created", String(sum(series, "userbuckets_bucket_ensures_total", l => l.outcome === "created")));
            set("bucket-failures", sum(series, "userbuckets_bucket_ensures_total", l => l.outcome === "failed") + " failed");
            set("webhook-stored", String(sum(series, "userbuckets_webhook_messages_total", l => l.outcome === "stored")));
            set("webhook-other", sum(series, "userbuckets_webhook_messages_total", l => l.outcome === "duplicate") + " duplicates, " +
              sum(series, "userbuckets_webhook_messages_total", l => l.outcome === "skipped") + " skipped, " +
              sum(series, "userbuckets_webhook_messages_total", l => l.outcome === "rejected") + " rejected");
            const webhook = document.getElementById("webhook");
            clear(webhook);
            for (const s of series.filter(s => s.name === "userbuckets_webhook_messages_total" && s.labels.outcome !== "stored")
              .sort((a, b) => b.value - a.value)) {
              row(webhook, [s.labels.outcome, s.labels.reason || s.labels.status || "", s.value]);
            }
            set("jobs", sum(series, "userbuckets_jobs_total", l => l.outcome === "done") + " / " +
              sum(series, "userbuckets_jobs_total", l => l.outcome === "failed"));
            set("jobs-other", sum(series, "userbuckets_jobs_total", l => l.outcome === "retry") + " retried");
            set("queue", queued + " / " + sum(series, "userbuckets_jobs_in_queue", l => l.state === "failed"));
            const failed = document.getElementById("failures");
            clear(failed);
            for (const job of (failures && failures.jobs) || []) row(failed, [job.id, job.kind, job.attempts, job.error || ""]);
            const merges = o => sum(series, "userbuckets_merges_total", l => l.outcome === o);
            const contacts = state => sum(series, "userbuckets_contact_buckets", l => l.state === state);
            set("merges", merges("merged") + " / " + merges("failed"));
            set("merges-other", merges("retry") + " retried, " + merges("ambiguous") + " left alone (ambiguous)");
            set("merge-objects", String(sum(series, "userbuckets_merge_objects_moved_total")));
            set("contact-buckets", contacts("open") + " / " + contacts("merging") + " / " + contacts("ambiguous"));
            set("contact-merged", contacts("merged") + " merged, now");
            set("updated", "updated " + new Date().toLocaleTimeString());
          } catch (error) {
            set("updated", "metrics unavailable");
          }
          setTimeout(refresh, 5000);
        }
        refresh();
        </script>
        </body>
        </html>
        """#
}
