/**
 * The console's stylesheet, shipped inside the code (served as /assets/console.<hash>.css and
 * embedded in the printed report): system fonts only, nothing fetched from anywhere.
 */
export const BASE_CSS = String.raw`
:root { --fg: #1b1f24; --muted: #5b6570; --line: #d8dde3; --bg: #f6f7f9; --card: #fff; --accent: #0b5cad;
  --restricted: #b42318; --review: #b54708; --clear: #067647; --exception: #6941c6; --fp: #475467; --replaced: #344054; }
* { box-sizing: border-box; }
html { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "DejaVu Sans", sans-serif; font-size: 15px; color: var(--fg); background: var(--bg); }
body { margin: 0; }
a { color: var(--accent); }
h1 { font-size: 1.5rem; margin: 0 0 .75rem; }
h2 { font-size: 1.15rem; margin: 1.5rem 0 .5rem; }
h3 { font-size: 1rem; margin: 1rem 0 .4rem; }
code, .mono { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: .9em; }
table { border-collapse: collapse; width: 100%; background: var(--card); }
th, td { text-align: left; padding: .35rem .5rem; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-weight: 600; background: #eef1f4; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.wrap { overflow-wrap: break-word; }
.muted { color: var(--muted); }
.badge { display: inline-block; padding: .05rem .45rem; border-radius: .6rem; font-size: .8rem; font-weight: 600; color: #fff; white-space: nowrap; }
.b-restricted { background: var(--restricted); } .b-review { background: var(--review); } .b-clear { background: var(--clear); }
.b-exception { background: var(--exception); } .b-false-positive { background: var(--fp); } .b-replaced { background: var(--replaced); }
.chart { width: 100%; max-width: 980px; height: auto; }
.chart.bars { max-width: 520px; }
.chart .grid { stroke: #e4e7ec; stroke-width: 1; }
.chart .tick, .chart .value { font-size: 11px; fill: var(--muted); }
.chart .empty { font-size: 13px; fill: var(--muted); }
.chart .line { fill: none; stroke-width: 2.5; }
.line.s-restricted { stroke: var(--restricted); } .line.s-review { stroke: var(--review); } .line.s-exception { stroke: var(--exception); }
circle.s-restricted, rect.s-restricted { fill: var(--restricted); } circle.s-review, rect.s-review { fill: var(--review); } circle.s-exception, rect.s-exception { fill: var(--exception); }
.legend { font-size: .85rem; color: var(--muted); margin: .2rem 0; }
.key::before { content: ""; display: inline-block; width: .8rem; height: .8rem; margin-right: .3rem; vertical-align: -1px; border-radius: 2px; }
.key.s-restricted::before { background: var(--restricted); } .key.s-review::before { background: var(--review); } .key.s-exception::before { background: var(--exception); }
.figures { display: grid; grid-template-columns: repeat(auto-fill, minmax(9.5rem, 1fr)); gap: .6rem; margin: .5rem 0 1rem; }
.figure { background: var(--card); border: 1px solid var(--line); border-radius: 6px; padding: .6rem .75rem; }
.figure .n { font-size: 1.6rem; font-weight: 700; font-variant-numeric: tabular-nums; }
.figure .what { color: var(--muted); font-size: .85rem; }
.figure.restricted .n { color: var(--restricted); } .figure.review .n { color: var(--review); } .figure.clear .n { color: var(--clear); } .figure.exception .n { color: var(--exception); }
.verdict { font-size: 1.1rem; background: var(--card); border-left: 5px solid var(--line); padding: .75rem 1rem; margin: .5rem 0 1rem; }
.verdict.restricted, .verdict.exception { border-left-color: var(--restricted); }
.verdict.review { border-left-color: var(--review); }
.verdict.clear { border-left-color: var(--clear); }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1rem; background: var(--card); padding: .75rem 1rem; margin: 0; border: 1px solid var(--line); }
dl.facts dt { color: var(--muted); }
dl.facts dd { margin: 0; overflow-wrap: anywhere; }
`;

/** The console pages (screen). */
export const CONSOLE_CSS = `${BASE_CSS}
header.top { display: flex; align-items: center; gap: 1.25rem; background: #101828; color: #fff; padding: .55rem 1.25rem; }
header.top a { color: #fff; text-decoration: none; }
header.top nav a { margin-right: 1rem; opacity: .85; }
header.top nav a.here { opacity: 1; font-weight: 600; border-bottom: 2px solid #fff; }
header.top .brand { font-weight: 700; letter-spacing: .02em; }
header.top .who { margin-left: auto; display: flex; gap: .75rem; align-items: center; font-size: .9rem; }
header.top button { background: transparent; color: #fff; border: 1px solid #667085; border-radius: 4px; padding: .2rem .6rem; cursor: pointer; }
main { padding: 1rem 1.25rem 3rem; max-width: 1400px; }
.cols { display: grid; grid-template-columns: repeat(auto-fit, minmax(420px, 1fr)); gap: 1.25rem; }
.panel { background: var(--card); border: 1px solid var(--line); border-radius: 6px; padding: .75rem 1rem; margin-bottom: 1rem; }
.panel h2 { margin-top: .2rem; }
form.filters { display: flex; flex-wrap: wrap; gap: .5rem .75rem; align-items: end; background: var(--card); border: 1px solid var(--line); padding: .6rem .75rem; border-radius: 6px; margin-bottom: .75rem; }
form.filters label { display: flex; flex-direction: column; font-size: .8rem; color: var(--muted); gap: .15rem; }
input, select, textarea, button { font: inherit; }
input[type=text], input[type=search], input[type=password], input[type=date], select, textarea { border: 1px solid #b8c0cc; border-radius: 4px; padding: .3rem .45rem; background: #fff; }
button.primary, a.button { background: var(--accent); color: #fff; border: 0; border-radius: 4px; padding: .4rem .9rem; cursor: pointer; text-decoration: none; display: inline-block; }
.pager { display: flex; gap: 1rem; align-items: center; margin: .75rem 0; }
.exports a { margin-left: .5rem; }
.login { max-width: 22rem; margin: 12vh auto; background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 1.5rem; }
.login label { display: block; margin: .75rem 0 .25rem; }
.login input { width: 100%; }
.login button { margin-top: 1rem; width: 100%; }
.error { background: #fef3f2; border: 1px solid #fda29b; color: #7a271a; padding: .5rem .75rem; border-radius: 4px; }
.note { background: #f0f9ff; border: 1px solid #b9e6fe; padding: .5rem .75rem; border-radius: 4px; }
form.review { background: var(--card); border: 1px solid var(--line); padding: .75rem 1rem; border-radius: 6px; display: grid; gap: .5rem; max-width: 40rem; }
form.review fieldset { border: 0; padding: 0; margin: 0; display: flex; flex-wrap: wrap; gap: .75rem; }
form.review .until[hidden] { display: none; }
tr.restricted td:first-child { border-left: 3px solid var(--restricted); }
`;
