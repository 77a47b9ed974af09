/** The report's only stylesheet: screen, narrow screens and print; no inline style attribute is ever needed. */

/** The CSS inlined in the report's single `<style>` element (its hash goes into the CSP). */
export const REPORT_CSS = `
:root{--fg:#1f2937;--muted:#6b7280;--line:#e5e7eb;--bg:#fff;--panel:#f8fafc;--accent:#1d4ed8;
--error:#b91c1c;--error-bg:#fde8e8;--warning:#b45309;--warning-bg:#fef3c7;--info:#1d4ed8;--info-bg:#e0ecff;
--good:#15803d;--good-bg:#dcfce7;--ins:#dcfce7;--del:#fde8e8}
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg)}
a{color:var(--accent);text-decoration:none}a:hover{text-decoration:underline}
header.top{display:flex;flex-wrap:wrap;align-items:center;gap:.5rem 1.5rem;padding:.6rem 1.2rem;border-bottom:1px solid var(--line);background:var(--panel);position:sticky;top:0;z-index:2}
header.top h1{font-size:1.1rem;margin:0}
nav.views{display:flex;flex-wrap:wrap;gap:.25rem}
nav.views a{padding:.3rem .7rem;border-radius:6px;color:var(--fg)}
nav.views a.active{background:var(--accent);color:#fff}
main{padding:1rem 1.2rem;max-width:1400px;margin:0 auto}
h2{font-size:1.25rem;margin:.2rem 0 .8rem}h3{font-size:1.02rem;margin:1.2rem 0 .5rem}h4{font-size:.92rem;margin:.6rem 0 .3rem}
.meta,.muted{color:var(--muted)}.meta{margin:.1rem 0 1rem}
.banner{padding:.5rem .8rem;border-radius:6px;margin:.5rem 0;background:var(--warning-bg);color:var(--warning)}
.banner.note{background:var(--info-bg);color:var(--info)}
.finding-title{display:block;font-size:.85em;color:var(--muted)}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(150px,1fr));gap:.6rem;margin:.5rem 0 1rem}
.card{border:1px solid var(--line);border-radius:8px;padding:.6rem .8rem;background:var(--panel)}
.card .value{font-size:1.45rem;font-weight:600;display:block}.card .label{color:var(--muted);font-size:.85rem}
.grid2{display:grid;grid-template-columns:repeat(auto-fit,minmax(320px,1fr));gap:1rem}
.panel{border:1px solid var(--line);border-radius:8px;padding:.6rem .8rem;margin-bottom:1rem;min-width:0}
.scroll{overflow-x:auto;max-width:100%}
table{border-collapse:collapse;width:100%;font-size:.9rem}
th,td{text-align:left;padding:.3rem .5rem;border-bottom:1px solid var(--line);vertical-align:top}
th{background:var(--panel);font-weight:600;white-space:nowrap}
th.sortable{cursor:pointer;user-select:none}th.sortable:hover{color:var(--accent)}
th[aria-sort=ascending]::after{content:" \\25B2";font-size:.7em}th[aria-sort=descending]::after{content:" \\25BC";font-size:.7em}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
td.name{word-break:break-word}
.name{overflow-wrap:anywhere;unicode-bidi:isolate}
a,td,th,li,.mono,.value-text{unicode-bidi:isolate}
tr.reject td.reason{color:var(--error);padding-top:0}
tr.selected>td{background:#eef4ff}tr.selected{scroll-margin-top:4rem}
tr.detail>td{background:var(--panel);padding:.6rem}
tr.clickable{cursor:pointer}
.sev{display:inline-block;padding:0 .45rem;border-radius:999px;font-size:.8rem;font-weight:600;white-space:nowrap}
.sev-error{background:var(--error-bg);color:var(--error)}.sev-warning{background:var(--warning-bg);color:var(--warning)}.sev-info{background:var(--info-bg);color:var(--info)}
.score{display:inline-block;min-width:2.4rem;text-align:center;padding:0 .35rem;border-radius:6px;font-weight:600}
.score-good{background:var(--good-bg);color:var(--good)}.score-ok{background:var(--info-bg);color:var(--info)}
.score-poor{background:var(--warning-bg);color:var(--warning)}.score-bad{background:var(--error-bg);color:var(--error)}
.badge{display:inline-block;padding:0 .4rem;border-radius:4px;font-size:.78rem;background:#ede9fe;color:#5b21b6;margin-right:.2rem;white-space:nowrap}
.badge.pk{background:#fef9c3;color:#854d0e}.badge.failed{background:var(--error-bg);color:var(--error)}
.controls{display:flex;flex-wrap:wrap;gap:.5rem;align-items:center;margin:.3rem 0 .7rem}
.controls input[type=search]{flex:1 1 240px;min-width:0;padding:.4rem .6rem;border:1px solid #cbd5e1;border-radius:6px;font:inherit}
.controls select{padding:.35rem;border:1px solid #cbd5e1;border-radius:6px;font:inherit;max-width:100%}
.tabs{display:flex;gap:.25rem}.tabs button,.pager button{font:inherit;padding:.3rem .7rem;border:1px solid #cbd5e1;background:#fff;border-radius:6px;cursor:pointer}
.tabs button[aria-pressed=true]{background:var(--accent);border-color:var(--accent);color:#fff}
.pager{display:flex;gap:.5rem;align-items:center;margin:.6rem 0}.pager button:disabled{opacity:.4;cursor:default}
.crumbs{margin-bottom:.3rem;color:var(--muted)}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:.15rem .9rem;margin:.3rem 0}
dl.facts dt{color:var(--muted)}dl.facts dd{margin:0;word-break:break-word}
ul.plain{list-style:none;padding:0;margin:.2rem 0}ul.plain li{margin:.15rem 0}
.evidence{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.8rem;color:#374151;white-space:pre-wrap;word-break:break-word}
code,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.85em}
.value-text{white-space:pre-wrap;word-break:break-word}
svg .bar{fill:#60a5fa}svg .bar-null{fill:#f87171}svg .bar-track{fill:#e5e7eb}
svg .sev-error{fill:#dc2626}svg .sev-warning{fill:#f59e0b}svg .sev-info{fill:#3b82f6}
svg .score-good{fill:#22c55e}svg .score-ok{fill:#60a5fa}svg .score-poor{fill:#f59e0b}svg .score-bad{fill:#ef4444}
svg text{font:11px system-ui,sans-serif;fill:#374151}svg text.label-strong{font-weight:600}
svg .axis{stroke:#9ca3af;stroke-width:1}svg .quantile{stroke:#1f2937;stroke-width:1.5}
.details-grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(260px,1fr));gap:.8rem}
.diagram{overflow:auto;border:1px solid var(--line);border-radius:8px;max-height:80vh;background:#fff}
.diagram svg .band{fill:#f8fafc;stroke:#e2e8f0}.diagram svg .band-title{font-weight:600;fill:#475569}
.diagram svg .node rect{fill:#fff;stroke:#64748b;stroke-width:1;rx:4}
.diagram svg .node.focus rect{fill:#dbeafe;stroke:var(--accent);stroke-width:2}
.diagram svg .node:hover rect{stroke:var(--accent);stroke-width:2}
.diagram svg .edge{fill:none;stroke:#64748b;stroke-width:1.3}
.diagram svg .edge.inferred{stroke:#d97706;stroke-dasharray:5 4}
.diagram svg .edge.orphans{stroke:#dc2626}
.diagram svg marker path{fill:#64748b}
.legend{font-size:.85rem;color:var(--muted);margin:.3rem 0}
del.old{background:var(--del);color:var(--error);text-decoration:line-through}
ins.new{background:var(--ins);color:var(--good);text-decoration:none}
.stack{display:flex;height:10px;border-radius:5px;overflow:hidden;background:#e5e7eb;min-width:120px}
.stack span{display:block;height:100%}
.stack .s-inserts{background:#22c55e}.stack .s-updates{background:#3b82f6}.stack .s-deletes{background:#ef4444}
.stack .s-unchanged{background:#cbd5e1}.stack .s-rejects{background:#f59e0b}
details summary{cursor:pointer}
[hidden]{display:none!important}
@media (max-width:640px){main{padding:.6rem}header.top{padding:.5rem .6rem;position:static}
.cards{grid-template-columns:repeat(2,1fr)}.grid2{grid-template-columns:1fr}
td.optional,th.optional{display:none}dl.facts{grid-template-columns:1fr}dl.facts dt{margin-top:.3rem}}
@media print{header.top{position:static;background:none;border:0}nav.views,.controls,.pager,.tabs,.no-print{display:none!important}
body{font-size:11px}main{max-width:none;padding:0}.panel,.card,tr,.diagram{break-inside:avoid}
.diagram{max-height:none;overflow:visible;border:0}a{color:inherit}
.scroll{overflow:visible}table.data{width:100%;table-layout:fixed}th,td{white-space:normal!important;overflow-wrap:anywhere}
.diagram svg{max-width:100%;height:auto}
#view-app{break-before:page}#view-app[hidden]{display:none!important}
th{background:#eee!important;-webkit-print-color-adjust:exact;print-color-adjust:exact}
.sev,.score,.badge,.stack span,del.old,ins.new{-webkit-print-color-adjust:exact;print-color-adjust:exact}}
`.trim();
