/// `GET /functions/v1/_status`: one self-contained HTML page (no build step) that reads
/// `_metrics` every few seconds and shows the figures an operator looks at first. Served by
/// any pool, local addresses only (nginx).
package enum StatusPage {
    package static let html = #"""
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <title>userbuckets status</title>
        <style>
          body { font: 14px/1.4 system-ui, sans-serif; margin: 2em; color: #222; }
          h1 { font-size: 1.3em; } h2 { font-size: 1em; margin-top: 1.5em; }
          table { border-collapse: collapse; } td, th { padding: .2em .8em; border-bottom: 1px solid #ddd; text-align: right; }
          th:first-child, td:first-child { text-align: left; }
          .big { font-size: 1.6em; font-weight: 600; } .muted { color: #888; }
        </style>
        </head>
        <body>
        <h1>userbuckets <span class="muted" id="updated">loading…</span></h1>
        <table>
          <tr><th>identification success</th><td class="big" id="identification-rate">–</td><td id="identifications" class="muted"></td></tr>
          <tr><th>buckets created</th><td class="big" id="buckets-created">–</td><td id="bucket-failures" class="muted"></td></tr>
          <tr><th>webhook messages stored</th><td class="big" id="webhook-stored">–</td><td id="webhook-other" class="muted"></td></tr>
          <tr><th>jobs done / failed</th><td class="big" id="jobs">–</td><td id="jobs-other" class="muted"></td></tr>
          <tr><th>jobs waiting / failed in the queue</th><td class="big" id="queue">–</td><td class="muted">now</td></tr>
        </table>
        <h2>Requests and latency by function</h2>
        <table id="functions"><tr><th>function</th><th>requests</th><th>errors (5xx)</th><th>p50</th><th>p95</th><th>p99</th></tr></table>
        <script>
        "use strict";
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
        async function refresh() {
          try {
            const response = await fetch("_metrics", { cache: "no-store" });
            const series = parse(await response.text());
            const ids = sum(series, "userbuckets_identifications_total");
            const found = sum(series, "userbuckets_identifications_total", l => l.outcome !== "none" && l.outcome !== "ambiguous");
            set("identification-rate", ids ? (100 * found / ids).toFixed(1) + " %" : "–");
            set("identifications", ids + " identifications");
            set("buckets-created", String(sum(series, "userbuckets_bucket_ensures_total", l => l.outcome === "created")));
            set("bucket-failures", sum(series, "userbuckets_bucket_ensures_total", l => l.outcome === "failed") + " failed");
            set("webhook-stored", String(sum(series, "userbuckets_webhook_messages_total", l => l.outcome === "stored")));
            set("webhook-other", sum(series, "userbuckets_webhook_messages_total", l => l.outcome === "duplicate") + " duplicates, " +
              sum(series, "userbuckets_webhook_messages_total", l => l.outcome === "skipped") + " skipped, " +
              sum(series, "userbuckets_webhook_messages_total", l => l.outcome === "rejected") + " rejected");
            set("jobs", sum(series, "userbuckets_jobs_total", l => l.outcome === "done") + " / " +
              sum(series, "userbuckets_jobs_total", l => l.outcome === "failed"));
            set("jobs-other", sum(series, "userbuckets_jobs_total", l => l.outcome === "retry") + " retried");
            set("queue", sum(series, "userbuckets_jobs_in_queue", l => l.state === "queued" || l.state === "running") + " / " +
              sum(series, "userbuckets_jobs_in_queue", l => l.state === "failed"));
            const table = document.getElementById("functions");
            while (table.rows.length > 1) table.deleteRow(1);
            const functions = [...new Set(series.filter(s => s.name === "userbuckets_requests_total").map(s => s.labels.function))].sort();
            for (const fn of functions) {
              const buckets = series.filter(s => s.name === "userbuckets_request_duration_seconds_bucket" && s.labels.function === fn)
                .map(s => ({ le: s.labels.le, value: s.value }))
                .sort((a, b) => (a.le === "+Inf" ? Infinity : Number(a.le)) - (b.le === "+Inf" ? Infinity : Number(b.le)));
              const row = table.insertRow();
              row.id = "fn-" + fn;
              for (const text of [fn, sum(series, "userbuckets_requests_total", l => l.function === fn),
                sum(series, "userbuckets_requests_total", l => l.function === fn && l.status.startsWith("5")),
                percentile(buckets, 0.5), percentile(buckets, 0.95), percentile(buckets, 0.99)]) {
                row.insertCell().textContent = String(text);
              }
            }
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
