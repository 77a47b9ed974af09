// The audit report's script: renders the inventory browser, dataset views, findings, relations and plan
// from the embedded JSON. Data only ever reaches the page through textContent and setAttribute on
// attributes this script names itself; no data is ever parsed as HTML.
(() => {
  const data = JSON.parse(document.getElementById('report-data').textContent);
  const M = data.messages;
  const SEV = ['error', 'warning', 'info'];
  const PAGE = 100;
  const SVGNS = 'http://www.w3.org/2000/svg';
  const numbers = new Intl.NumberFormat(data.locale, { maximumFractionDigits: 2 });
  const percents = new Intl.NumberFormat(data.locale, { style: 'percent', maximumFractionDigits: 1 });
  const collator = new Intl.Collator(data.locale, { numeric: true, sensitivity: 'base' });
  const C = indexOf(data.columnFields);
  const F = indexOf(data.findingFields);

  function indexOf(fields) {
    const index = {};
    for (let i = 0; i < fields.length; i++) index[fields[i]] = i;
    return index;
  }

  function t(key, values) {
    const text = M[key] === undefined ? key : M[key];
    if (!values) return text;
    return text.replace(/\{(\w+)\}/g, (whole, name) => (name in values ? String(values[name]) : whole));
  }

  const fmt = (v) =>
    v === null || v === undefined ? '—' : typeof v === 'number' ? numbers.format(v) : String(v);
  const dates = new Intl.DateTimeFormat(data.locale, {
    dateStyle: 'long',
    timeStyle: 'short',
    timeZone: 'UTC',
  });
  const dateText = (iso) => (Number.isNaN(Date.parse(iso)) ? iso : `${dates.format(Date.parse(iso))} (UTC)`);
  // One decimal, or up to four when one would show a share that is neither 0 nor 1 as 0% or 100%: 99.97%.
  const percentsTo = [null, percents, 2, 3, 4].map((f) =>
    typeof f === 'number'
      ? new Intl.NumberFormat(data.locale, { style: 'percent', maximumFractionDigits: f })
      : f,
  );
  // Names that hold right-to-left letters or bidi controls are isolated (FSI … PDI) where they are joined
  // into one text with others, so that none reorders its neighbours (a column named `\u202Eevil` would
  // reverse every name after it).
  const BIDI = /[\u0590-\u08ff\u200e\u200f\u202a-\u202e\u2066-\u2069\ufb1d-\ufdff\ufe70-\ufefc]/;
  const iso = (name) => (typeof name === 'string' && BIDI.test(name) ? `\u2068${name}\u2069` : name);
  const pct = (share) => {
    if (share === null || share === undefined) return '—';
    let digits = 1;
    while (digits < 4 && share > 0 && share < 1) {
      const scale = 10 ** (digits + 2);
      const rounded = Math.round(share * scale);
      if (rounded !== 0 && rounded !== scale) break;
      digits++;
    }
    return percentsTo[digits].format(share);
  };

  // ---- DOM helpers: text goes in as text nodes; attributes are only those named here.
  function h(tag, props, ...children) {
    const el = document.createElement(tag);
    if (props) setProps(el, props);
    add(el, children);
    return el;
  }
  function svg(tag, props, ...children) {
    const el = document.createElementNS(SVGNS, tag);
    if (props) setProps(el, props);
    add(el, children);
    return el;
  }
  function setProps(el, props) {
    for (const key of Object.keys(props)) {
      const value = props[key];
      if (value === null || value === undefined || value === false) continue;
      if (key === 'text') el.textContent = String(value);
      else if (key === 'class') el.setAttribute('class', value);
      else if (key === 'on') for (const ev of Object.keys(value)) el.addEventListener(ev, value[ev]);
      else el.setAttribute(key, value === true ? '' : String(value));
    }
  }
  function add(el, children) {
    for (const child of children) {
      if (child === null || child === undefined || child === false) continue;
      if (Array.isArray(child)) add(el, child);
      else if (typeof child === 'object') el.appendChild(child);
      else el.appendChild(document.createTextNode(String(child)));
    }
  }
  const link = (hash, text, cls) => h('a', { href: `#${hash}`, class: cls, text });
  const dsHash = (id) => `dataset=${encodeURIComponent(id)}`;
  const colHash = (id, column) => `${dsHash(id)}&column=${encodeURIComponent(column)}`;
  const sevBadge = (rank) => h('span', { class: `sev sev-${SEV[rank]}`, text: t(SEV[rank]) });
  const scoreTone = (score) => (score >= 90 ? 'good' : score >= 70 ? 'ok' : score >= 50 ? 'poor' : 'bad');
  const scoreBadge = (score) => h('span', { class: `score score-${scoreTone(score)}`, text: fmt(score) });
  // A value as the data holds it: a number with the locale's decimal mark but never rounded or grouped.
  const decimalMark = numbers.formatToParts(1.5).find((p) => p.type === 'decimal')?.value ?? '.';
  const show = (v) =>
    v === null || v === undefined
      ? '—'
      : typeof v === 'string'
        ? v
        : typeof v === 'number'
          ? String(v).replace('.', decimalMark)
          : JSON.stringify(v);
  // A value of a numeric column: its decimals, which travel as text (`12.50`), take the decimal mark too.
  const PLAIN_DECIMAL = /^-?\d+\.\d+$/;
  const NUMERIC_TYPES = new Set(['integer', 'decimal', 'float']);
  /** How a column's values show: a numeric column's decimals with the locale's mark. */
  const valuesOf = (c) => (NUMERIC_TYPES.has(c[C.type]) ? showNumeric : show);
  const showNumeric = (v) =>
    typeof v === 'string' && PLAIN_DECIMAL.test(v) ? v.replace('.', decimalMark) : show(v);
  // A plan's row key is an object of key fields: `external_id=CRM-42`.
  const showKey = (k) =>
    k !== null && typeof k === 'object' && !Array.isArray(k)
      ? Object.entries(k)
          .map(([f, v]) => `${f}=${show(v)}`)
          .join(', ')
      : show(k);

  // ---- Indexes built once.
  const byId = new Map();
  const stats = new Map();
  const allColumns = [];
  for (const d of data.datasets) {
    byId.set(d.id, d);
    const s = { counts: [0, 0, 0], codes: new Set(), personal: 0, key: d.id.toLowerCase(), findings: [] };
    for (const c of d.columns) {
      if (c[C.personal]) s.personal++;
      allColumns.push({ d, c, key: String(c[C.name]).toLowerCase(), counts: [0, 0, 0], codes: new Set() });
    }
    stats.set(d.id, s);
  }
  const columnEntry = new Map();
  for (const entry of allColumns) columnEntry.set(`${entry.d.id}\u0000${entry.c[C.name]}`, entry);
  const columnFindings = new Map();
  for (const f of data.findings) {
    const s = f[F.dataset] === null ? undefined : stats.get(f[F.dataset]);
    if (!s) continue;
    s.counts[f[F.severity]]++;
    s.codes.add(f[F.code]);
    s.findings.push(f);
    if (f[F.column] === null) continue;
    const key = `${f[F.dataset]}\u0000${f[F.column]}`;
    const list = columnFindings.get(key);
    if (list) list.push(f);
    else columnFindings.set(key, [f]);
    const entry = columnEntry.get(key);
    if (entry) {
      entry.counts[f[F.severity]]++;
      entry.codes.add(f[F.code]);
    }
  }
  const outgoing = new Map();
  const incoming = new Map();
  for (const r of data.relations) {
    pushTo(outgoing, r[0], r);
    pushTo(incoming, r[1], r);
  }
  function pushTo(map, key, value) {
    const list = map.get(key);
    if (list) list.push(value);
    else map.set(key, [value]);
  }

  // ---- A sortable, paginated table; `state` keeps sort and page across re-renders.
  function dataTable(columns, rows, state, empty) {
    const wrap = h('div');
    // `focus` names what held the keyboard focus before the table was drawn again: a header by its index,
    // or a pager button; it gets the focus back instead of the page's body.
    const draw = (focus) => {
      const sorted = rows.slice();
      if (state.sort !== undefined && columns[state.sort]) {
        const key = columns[state.sort].sort;
        const dir = state.dir || 1;
        sorted.sort((a, b) => compare(key(a), key(b), dir));
      }
      const pages = Math.max(1, Math.ceil(sorted.length / PAGE));
      if (!(state.page < pages)) state.page = 0;
      const start = state.page * PAGE;
      const head = h(
        'tr',
        null,
        columns.map((col, i) => {
          const th = h('th', {
            class: [col.num ? 'num' : '', col.sort ? 'sortable' : '', col.cls || ''].join(' ').trim(),
          });
          th.textContent = col.label;
          if (col.sort) {
            th.tabIndex = 0;
            th.setAttribute(
              'aria-sort',
              state.sort === i ? (state.dir === -1 ? 'descending' : 'ascending') : 'none',
            );
            const sortBy = () => {
              state.dir = state.sort === i ? -(state.dir || 1) : col.num ? -1 : 1;
              state.sort = i;
              state.page = 0;
              draw({ header: i });
            };
            th.addEventListener('click', sortBy);
            th.addEventListener('keydown', (ev) => {
              if (ev.key === 'Enter' || ev.key === ' ') {
                ev.preventDefault();
                sortBy();
              }
            });
          }
          return th;
        }),
      );
      const body = h('tbody');
      const end = Math.min(sorted.length, start + PAGE);
      for (let r = start; r < end; r++) {
        const row = sorted[r];
        const tr = h('tr');
        for (const col of columns) {
          const td = h('td', { class: [col.num ? 'num' : '', col.cls || ''].join(' ').trim() || null });
          add(td, [col.render(row)]);
          tr.appendChild(td);
        }
        body.appendChild(tr);
      }
      const table = h('table', { class: 'data' }, h('thead', null, head), body);
      const parts = [h('div', { class: 'scroll' }, table)];
      if (sorted.length === 0) parts.push(h('p', { class: 'muted', text: empty || t('noMatch') }));
      if (pages > 1) parts.push(pager(state, pages, sorted.length, draw));
      wrap.replaceChildren(...parts);
      if (focus?.header !== undefined) wrap.querySelectorAll('th')[focus.header]?.focus();
      else if (focus?.pager) {
        const buttons = [...wrap.querySelectorAll('.pager button')];
        const wanted = buttons.find((b) => b.dataset.pager === focus.pager && !b.disabled);
        (wanted ?? buttons.find((b) => !b.disabled))?.focus();
      }
    };
    draw();
    return wrap;
  }

  function pager(state, pages, total, draw) {
    const prev = h('button', { type: 'button', text: t('previous'), 'data-pager': 'prev' });
    const next = h('button', { type: 'button', text: t('next'), 'data-pager': 'next' });
    prev.disabled = state.page === 0;
    next.disabled = state.page >= pages - 1;
    prev.addEventListener('click', () => {
      state.page--;
      draw({ pager: 'prev' });
    });
    next.addEventListener('click', () => {
      state.page++;
      draw({ pager: 'next' });
    });
    const info = h('span', {
      class: 'muted',
      text: `${t('page', { n: state.page + 1, m: pages })} · ${fmt(total)}`,
    });
    return h('div', { class: 'pager' }, prev, info, next);
  }

  // Missing values sort last in both directions.
  function compare(a, b, dir) {
    const aMissing = a === null || a === undefined;
    const bMissing = b === null || b === undefined;
    if (aMissing || bMissing) return aMissing === bMissing ? 0 : aMissing ? 1 : -1;
    if (typeof a === 'number' && typeof b === 'number') return (a - b) * dir;
    return collator.compare(String(a), String(b)) * dir;
  }

  function select(options, value, onChange, label) {
    const el = h('select', { 'aria-label': label });
    for (const [v, label] of options) {
      const option = h('option', { value: v, text: label });
      if (v === value) option.selected = true;
      el.appendChild(option);
    }
    el.addEventListener('change', () => onChange(el.value));
    return el;
  }

  function findingCounts(counts) {
    const out = [];
    for (let i = 0; i < 3; i++)
      if (counts[i] > 0)
        out.push(h('span', { class: `sev sev-${SEV[i]}`, title: t(SEV[i]), text: fmt(counts[i]) }), ' ');
    return out.length ? out : '—';
  }

  // ---- Charts (inline SVG, colours from the stylesheet's classes).
  function nullBar(c) {
    const count = c[C.count];
    if (!count) return '—';
    const nullLike = c[C.nullLike] ? c[C.nullLike].reduce((a, b) => a + b, 0) : 0;
    const w = 60;
    const nulls = Math.round((w * c[C.nulls]) / count);
    const like = Math.round((w * nullLike) / count);
    return h(
      'span',
      { title: `${t('nulls')} ${pct(c[C.nulls] / count)} · ${t('nullLike')} ${pct(nullLike / count)}` },
      svg(
        'svg',
        { width: w, height: 10, viewBox: `0 0 ${w} 10`, 'aria-hidden': 'true' },
        svg('rect', { class: 'bar-track', x: 0, y: 0, width: w, height: 10, rx: 2 }),
        svg('rect', { class: 'bar-null', x: 0, y: 0, width: nulls, height: 10 }),
        svg('rect', { class: 'sev-warning', x: nulls, y: 0, width: like, height: 10 }),
      ),
      ` ${pct(c[C.nulls] / count)}`,
    );
  }

  function barList(items, total, title, display = show) {
    if (!items || items.length === 0) return null;
    const max = Math.max(1, ...items.map((i) => i[1]));
    const rows = items.map(([label, n]) =>
      h(
        'tr',
        null,
        h('td', { class: 'value-text', text: display(label) }),
        h(
          'td',
          null,
          svg(
            'svg',
            { width: 80, height: 10, viewBox: '0 0 80 10', 'aria-hidden': 'true' },
            svg('rect', { class: 'bar-track', x: 0, y: 0, width: 80, height: 10, rx: 2 }),
            svg('rect', {
              class: 'bar',
              x: 0,
              y: 0,
              width: Math.max(1, Math.round((80 * n) / max)),
              height: 10,
              rx: 2,
            }),
          ),
        ),
        h('td', { class: 'num', text: fmt(n) }),
        h('td', { class: 'num muted', text: total ? pct(n / total) : '' }),
      ),
    );
    return h('div', null, h('h4', { text: title }), h('table', null, h('tbody', null, rows)));
  }

  /** A summary number of a column: a date or timestamp column's are days since 1970-01-01. */
  function numberOf(n) {
    if (!n[14]) return fmt;
    return (v) => {
      if (typeof v !== 'number' || !Number.isFinite(v)) return fmt(v);
      const iso = new Date(Math.round(v * 86_400_000)).toISOString();
      return n[14] === 'date' ? iso.slice(0, 10) : `${iso.slice(0, 10)} ${iso.slice(11, 19)}`;
    };
  }

  function histogram(n) {
    const counts = n[9];
    if (!counts || counts.length === 0 || n[7] === null) return null;
    const W = 280;
    const H = 110;
    const pad = 18;
    const from = n[7];
    const to = n[8];
    const show = numberOf(n);
    const max = Math.max(1, ...counts);
    const bw = (W - 2) / counts.length;
    const x = (v) => (to === from ? W / 2 : 1 + ((v - from) / (to - from)) * (W - 2));
    const bars = counts.map((count, i) =>
      svg(
        'rect',
        {
          class: 'bar',
          x: 1 + i * bw + 0.5,
          y: H - pad - ((H - pad - 4) * count) / max,
          width: Math.max(1, bw - 1),
          height: ((H - pad - 4) * count) / max,
        },
        svg('title', { text: fmt(count) }),
      ),
    );
    const marks = [n[3], n[4], n[5]].map((q) =>
      svg('line', { class: 'quantile', x1: x(q), x2: x(q), y1: 2, y2: H - pad }),
    );
    return h(
      'div',
      null,
      h('h4', { text: t('histogram') }),
      svg(
        'svg',
        { viewBox: `0 0 ${W} ${H}`, width: W, height: H, role: 'img', 'aria-label': t('histogram') },
        bars,
        marks,
        svg('line', { class: 'axis', x1: 0, x2: W, y1: H - pad, y2: H - pad }),
        svg('text', { x: 0, y: H - 4, text: show(from) }),
        svg('text', { x: W, y: H - 4, 'text-anchor': 'end', text: show(to) }),
      ),
      h('p', {
        class: 'muted',
        text: `p5 ${show(n[2])} · p25 ${show(n[3])} · p50 ${show(n[4])} · p75 ${show(n[5])} · p95 ${show(n[6])}`,
      }),
    );
  }

  function facts(pairs) {
    const dl = h('dl', { class: 'facts' });
    for (const [label, value] of pairs) {
      if (value === null || value === undefined || value === '') continue;
      dl.appendChild(h('dt', { text: label }));
      dl.appendChild(h('dd', null, value));
    }
    return dl;
  }

  function evidenceText(evidence) {
    if (evidence === null || evidence === undefined) return '';
    if (typeof evidence !== 'object') return String(evidence);
    const lines = [];
    for (const key of Object.keys(evidence)) {
      const v = evidence[key];
      let text = typeof v === 'number' ? fmt(v) : typeof v === 'string' ? v : JSON.stringify(v);
      if (text.length > 300) text = `${text.slice(0, 299)}…`;
      lines.push(`${key}: ${text}`);
    }
    return lines.join('\n');
  }

  /** A finding's message with the names it quotes (its column, its dataset) isolated. */
  function isolatedMessage(f) {
    let message = f[F.message];
    for (const name of [f[F.column], f[F.dataset]])
      if (typeof name === 'string' && BIDI.test(name)) message = message.replaceAll(name, iso(name));
    return message;
  }

  function whereOf(f) {
    const id = f[F.dataset];
    if (id === null) return h('span', { text: f[F.source] });
    const parts = [byId.has(id) ? link(dsHash(id), id) : h('span', { text: id })];
    if (f[F.column] !== null) {
      parts.push(' › ');
      parts.push(
        byId.has(id) ? link(colHash(id, f[F.column]), f[F.column]) : h('span', { text: f[F.column] }),
      );
    }
    return h('span', { class: 'name' }, parts);
  }

  // ---- Views.
  const browseState = {
    q: '',
    source: '',
    code: '',
    personal: false,
    mode: 'datasets',
    datasets: {},
    columns: {},
  };

  function viewBrowse(arg) {
    if (arg !== undefined) browseState.source = arg;
    const results = h('div', { id: 'browse-results' });
    const search = h('input', {
      type: 'search',
      id: 'search',
      placeholder: t('search'),
      'aria-label': t('search'),
    });
    search.value = browseState.q;
    // A changed filter shows its first matches: both tables go back to their first page.
    const filtered = () => {
      browseState.datasets.page = 0;
      browseState.columns.page = 0;
      refresh();
    };
    search.addEventListener('input', () => {
      browseState.q = search.value;
      filtered();
    });
    const sources = [['', t('allSources')]].concat(data.sources.map((s) => [s.name, s.name]));
    const codes = new Set();
    for (const f of data.findings) if (f[F.dataset] !== null) codes.add(f[F.code]);
    const codeOptions = [['', t('allFindings')]].concat([...codes].sort().map((c) => [c, codeLabel(c)]));
    const personal = h('input', { type: 'checkbox', id: 'personal-only' });
    personal.checked = browseState.personal;
    personal.addEventListener('change', () => {
      browseState.personal = personal.checked;
      filtered();
    });
    const tabs = h('div', { class: 'tabs', role: 'group' });
    for (const [mode, label] of [
      ['datasets', t('datasets')],
      ['columns', t('columns')],
    ]) {
      const b = h('button', {
        type: 'button',
        'data-mode': mode,
        'aria-pressed': String(browseState.mode === mode),
        text: label,
      });
      b.addEventListener('click', () => {
        browseState.mode = mode;
        for (const other of tabs.children) other.setAttribute('aria-pressed', String(other === b));
        refresh();
      });
      tabs.appendChild(b);
    }
    const controls = h(
      'div',
      { class: 'controls' },
      search,
      select(
        sources,
        browseState.source,
        (v) => {
          browseState.source = v;
          filtered();
        },
        t('source'),
      ),
      select(
        codeOptions,
        browseState.code,
        (v) => {
          browseState.code = v;
          filtered();
        },
        t('code'),
      ),
      h('label', null, personal, ` ${t('personalOnly')}`),
      tabs,
    );
    function refresh() {
      results.replaceChildren(browseState.mode === 'columns' ? columnsTable() : datasetsTable());
    }
    refresh();
    return [h('h2', { text: t('browse') }), controls, results];
  }

  function datasetsTable() {
    const q = browseState.q.trim().toLowerCase();
    const rows = [];
    for (const d of data.datasets) {
      const s = stats.get(d.id);
      if (browseState.source && d.source !== browseState.source) continue;
      if (browseState.code && !s.codes.has(browseState.code)) continue;
      if (browseState.personal && s.personal === 0) continue;
      if (q && !s.key.includes(q)) {
        let hit = false;
        for (const c of d.columns) {
          if (String(c[C.name]).toLowerCase().includes(q)) {
            hit = true;
            break;
          }
        }
        if (!hit) continue;
      }
      rows.push(d);
    }
    const columns = [
      { label: t('source'), sort: (d) => d.source, render: (d) => d.source, cls: 'optional' },
      { label: t('dataset'), sort: (d) => d.name, render: (d) => link(dsHash(d.id), d.name), cls: 'name' },
      { label: t('kind'), sort: (d) => d.kind, render: (d) => d.kind, cls: 'optional' },
      { label: t('rows'), num: true, sort: (d) => d.rows, render: (d) => fmt(d.rows) },
      { label: t('columns'), num: true, sort: (d) => d.columns.length, render: (d) => fmt(d.columns.length) },
      {
        label: t('readiness'),
        num: true,
        sort: (d) => (d.profile ? d.profile.score : null),
        render: (d) => (d.profile ? scoreBadge(d.profile.score) : '—'),
      },
      {
        label: t('findings'),
        num: true,
        sort: (d) => weight(stats.get(d.id).counts),
        render: (d) => findingCounts(stats.get(d.id).counts),
      },
      {
        label: t('personal'),
        num: true,
        sort: (d) => stats.get(d.id).personal,
        render: (d) => fmt(stats.get(d.id).personal),
        cls: 'optional',
      },
    ];
    return h(
      'div',
      null,
      h('p', { class: 'muted', text: t('shown', { n: fmt(rows.length), m: fmt(data.datasets.length) }) }),
      dataTable(columns, rows, browseState.datasets),
    );
  }

  function columnsTable() {
    const q = browseState.q.trim().toLowerCase();
    const rows = [];
    for (const entry of allColumns) {
      if (browseState.source && entry.d.source !== browseState.source) continue;
      if (browseState.code && !entry.codes.has(browseState.code)) continue;
      if (browseState.personal && !entry.c[C.personal]) continue;
      if (q && !entry.key.includes(q) && !stats.get(entry.d.id).key.includes(q)) continue;
      rows.push(entry);
    }
    const columns = [
      { label: t('dataset'), sort: (e) => e.d.id, render: (e) => link(dsHash(e.d.id), e.d.id), cls: 'name' },
      {
        label: t('column'),
        sort: (e) => e.c[C.name],
        render: (e) => link(colHash(e.d.id, e.c[C.name]), e.c[C.name]),
        cls: 'name',
      },
      { label: t('type'), sort: (e) => e.c[C.type], render: (e) => fmt(e.c[C.type]), cls: 'optional' },
      {
        label: t('nulls'),
        num: true,
        sort: (e) => (e.c[C.count] ? e.c[C.nulls] / e.c[C.count] : null),
        render: (e) => nullBar(e.c),
      },
      {
        label: t('distinct'),
        num: true,
        sort: (e) => e.c[C.distinct],
        render: (e) => fmt(e.c[C.distinct]),
        cls: 'optional',
      },
      {
        label: t('personal'),
        sort: (e) => (e.c[C.personal] ? e.c[C.personal][0] : null),
        render: (e) => (e.c[C.personal] ? h('span', { class: 'badge', text: e.c[C.personal][0] }) : ''),
      },
      {
        label: t('findings'),
        num: true,
        sort: (e) => weight(e.counts),
        render: (e) => findingCounts(e.counts),
      },
    ];
    return h(
      'div',
      null,
      h('p', { class: 'muted', text: t('shown', { n: fmt(rows.length), m: fmt(allColumns.length) }) }),
      dataTable(columns, rows, browseState.columns),
    );
  }

  const weight = (counts) => counts[0] * 1e6 + counts[1] * 1e3 + counts[2];

  function viewDataset(id, column) {
    const d = byId.get(id);
    if (!d) return [h('h2', { text: t('notFound', { name: id }) }), link('browse', t('back'))];
    const p = d.profile;
    const s = stats.get(id);
    const out = [];
    out.push(
      h(
        'p',
        { class: 'crumbs' },
        link('browse', t('browse')),
        ' › ',
        link(`browse=${encodeURIComponent(d.source)}`, d.source),
      ),
    );
    out.push(h('h2', { class: 'name', text: d.name }));
    const file = d.file;
    const summary = facts([
      [t('source'), d.source],
      [t('kind'), d.kind],
      [t('rows'), d.rows === null ? '—' : `${d.rowsExact ? '' : '≈ '}${fmt(d.rows)}`],
      [t('columns'), fmt(d.columns.length)],
      [t('size'), d.size === null ? null : fmt(d.size)],
      [t('comment'), d.comment],
      [t('file'), file ? h('span', { class: 'mono', text: file.path }) : null],
      [t('encoding'), file ? file.encoding : null],
      [t('delimiter'), file ? file.delimiter : null],
      [t('modified'), file ? dateText(file.modifiedAt) : null],
      [t('profileMethod'), p ? p.method : null],
      [t('duplicateRows'), p ? fmt(p.duplicateRows) : null],
    ]);
    const panels = [
      h(
        'section',
        { class: 'panel' },
        summary,
        p && p.sample !== null
          ? h('p', { class: 'banner note', text: t('sample', { n: pct(p.sample) }) })
          : null,
      ),
    ];
    if (p) {
      panels.push(
        h(
          'section',
          { class: 'panel' },
          h('h3', null, `${t('readiness')} `, scoreBadge(p.score)),
          p.penalties.length
            ? h(
                'ul',
                { class: 'plain' },
                p.penalties.map(([reason, points]) =>
                  h(
                    'li',
                    null,
                    h('span', { class: 'sev sev-warning', text: `−${fmt(points)}` }),
                    ' ',
                    reason,
                  ),
                ),
              )
            : h('p', { class: 'muted', text: t('none') }),
        ),
      );
    } else
      panels.push(
        h('section', { class: 'panel' }, h('p', { class: 'muted', text: t('notProfiledDataset') })),
      );
    out.push(h('div', { class: 'grid2' }, panels));

    out.push(h('h3', { text: t('columns') }));
    out.push(columnsOf(d, column));
    out.push(...keysAndRelations(d));
    if (s.findings.length) {
      out.push(h('h3', { text: `${t('findings')} (${fmt(s.findings.length)})` }));
      out.push(findingsTable(s.findings, {}));
    }
    return out;
  }

  function columnsOf(d, selected) {
    const body = h('tbody');
    let target = null;
    for (const c of d.columns) {
      const name = c[C.name];
      const entry = columnEntry.get(`${d.id}\u0000${name}`);
      const top = c[C.top] && c[C.top].length ? c[C.top][0] : null;
      const pattern = c[C.patterns] && c[C.patterns].length ? c[C.patterns][0][0] : null;
      const badges = [];
      if (c[C.pk]) badges.push(h('span', { class: 'badge pk', text: 'PK' }));
      if (c[C.personal]) badges.push(h('span', { class: 'badge', text: c[C.personal][0] }));
      const tr = h(
        'tr',
        { class: 'clickable', 'data-column': name },
        h('td', { class: 'name' }, link(colHash(d.id, name), name), ' ', badges),
        h(
          'td',
          { class: 'optional' },
          h('span', { text: fmt(c[C.type]) }),
          c[C.native] ? h('span', { class: 'muted mono', text: ` ${c[C.native]}` }) : null,
        ),
        h('td', { class: 'num' }, nullBar(c)),
        h('td', { class: 'num', text: `${c[C.distinctExact] === 0 ? '≈ ' : ''}${fmt(c[C.distinct])}` }),
        h('td', {
          class: 'optional value-text',
          text:
            c[C.min] === null || c[C.min] === undefined
              ? '—'
              : `${valuesOf(c)(c[C.min])} … ${valuesOf(c)(c[C.max])}`,
        }),
        h('td', {
          class: 'optional value-text',
          text: top ? `${valuesOf(c)(top[0])} (${fmt(top[1])})` : '—',
        }),
        h('td', { class: 'optional mono', text: pattern === null ? '—' : pattern }),
        h('td', { class: 'num' }, entry ? findingCounts(entry.counts) : '—'),
      );
      // The whole row opens the column, as its pointer cursor says (the name's link is the keyboard's way in).
      tr.addEventListener('click', (event) => {
        if (!(event.target instanceof Element && event.target.closest('a')))
          location.hash = colHash(d.id, name);
      });
      body.appendChild(tr);
      if (name === selected) {
        tr.classList.add('selected');
        target = tr;
        const detail = h('tr', { class: 'detail' }, h('td', { colspan: 8 }, columnDetail(d, c)));
        body.appendChild(detail);
      }
    }
    const heads = [
      t('column'),
      t('type'),
      t('nulls'),
      t('distinct'),
      `${t('min')} … ${t('max')}`,
      t('topValues'),
      t('patterns'),
      t('findings'),
    ];
    const optional = [false, true, false, false, true, true, true, false];
    const nums = [false, false, true, true, false, false, false, true];
    const head = h(
      'tr',
      null,
      heads.map((label, i) =>
        h('th', {
          class: [optional[i] ? 'optional' : '', nums[i] ? 'num' : ''].join(' ').trim() || null,
          text: label,
        }),
      ),
    );
    const table = h('table', { id: 'columns-table' }, h('thead', null, head), body);
    if (target) requestAnimationFrame(() => target.scrollIntoView({ block: 'start' }));
    return h('div', { class: 'scroll' }, table);
  }

  function columnDetail(d, c) {
    const count = c[C.count];
    const shown = valuesOf(c);
    const nonNull = count === null ? null : count - c[C.nulls];
    const blocks = [];
    const nl = c[C.nullLike];
    blocks.push(
      h(
        'div',
        null,
        h('h4', { text: t('columnDetails') }),
        facts([
          [t('type'), `${fmt(c[C.type])}${c[C.native] ? ` (${c[C.native]})` : ''}`],
          [t('nullable'), c[C.nullable] === null ? null : c[C.nullable] ? t('yes') : t('no')],
          [t('comment'), c[C.comment]],
          [t('inferredType'), c[C.inferred]],
          [t('conformance'), c[C.conformance] === null ? null : pct(c[C.conformance])],
          [t('rows'), count === null ? null : fmt(count)],
          [t('nulls'), count ? `${fmt(c[C.nulls])} (${pct(c[C.nulls] / count)})` : null],
          [
            t('nullLike'),
            nl
              ? data.nullLikeClasses
                  .map((k, i) => (nl[i] ? `${t(`nullLike_${k}`)} ${fmt(nl[i])}` : ''))
                  .filter(Boolean)
                  .join(', ')
              : null,
          ],
          [
            t('distinct'),
            c[C.distinct] === null ? null : `${c[C.distinctExact] === 0 ? '≈ ' : ''}${fmt(c[C.distinct])}`,
          ],
          [t('uniqueness'), c[C.uniqueness] === null ? null : pct(c[C.uniqueness])],
          [t('min'), c[C.min] === null ? null : shown(c[C.min])],
          [t('max'), c[C.max] === null ? null : shown(c[C.max])],
          [
            t('lengths'),
            c[C.length]
              ? `${fmt(c[C.length][0])} – ${fmt(c[C.length][1])} (${t('mean').toLowerCase()} ${fmt(c[C.length][2])})`
              : null,
          ],
          [
            t('whitespace'),
            c[C.whitespace] ? `${fmt(c[C.whitespace][0])} / ${fmt(c[C.whitespace][1])}` : null,
          ],
          [t('personal'), c[C.personal] ? `${c[C.personal][0]}: ${c[C.personal][1]}` : null],
        ]),
      ),
    );
    const n = c[C.numeric];
    if (n) {
      const show = numberOf(n);
      blocks.push(histogram(n));
      blocks.push(
        h(
          'div',
          null,
          h('h4', { text: t('outliers') }),
          facts([
            [t('mean'), show(n[0])],
            [t('stddev'), n[14] ? `${fmt(n[1])} d` : fmt(n[1])],
            [t('outliers'), `${fmt(n[10])} (< ${show(n[11])} / > ${show(n[12])})`],
            ['', n[13]?.length ? n[13].map(show).join(', ') : null],
          ]),
        ),
      );
    }
    const top = c[C.top];
    if (top?.length && top.every((v) => v[1] === 1) && c[C.uniqueness] === 1) {
      blocks.push(
        h(
          'div',
          null,
          h('h4', { text: t('topValues') }),
          h('p', { class: 'muted', text: t('allDistinct') }),
          h('p', { class: 'value-text', text: top.map((v) => shown(v[0])).join(', ') }),
        ),
      );
    } else blocks.push(barList(top, nonNull, t('topValues'), shown));
    blocks.push(barList(c[C.patterns], nonNull, t('patterns')));
    blocks.push(barList(c[C.formats], nonNull, t('formats')));
    const v = c[C.variants];
    if (v) {
      blocks.push(
        h(
          'div',
          null,
          h('h4', { text: `${t('variants')}: ${fmt(v[0])}` }),
          h(
            'ul',
            { class: 'plain' },
            v[2].map((group) => h('li', { class: 'value-text', text: group.join(' · ') })),
          ),
        ),
      );
    }
    const found = columnFindings.get(`${d.id}\u0000${c[C.name]}`);
    const out = [h('div', { class: 'details-grid' }, blocks)];
    if (found) out.push(h('h4', { text: t('findings') }), findingsTable(found, {}));
    return out;
  }

  function keysAndRelations(d) {
    const p = d.profile;
    const list = (keys) => (keys?.length ? keys.map((k) => k.map(iso).join(', ')).join(' · ') : null);
    const relationRow = (r, outward) => {
      const other = outward ? r[1] : r[0];
      const otherNode = byId.has(other) ? link(dsHash(other), other) : h('span', { text: other });
      return h(
        'li',
        null,
        h('span', { class: 'mono', text: r[3].map(iso).join(', ') }),
        ' → ',
        outward ? otherNode : h('span', { text: d.name }),
        h('span', { class: 'mono', text: ` (${r[4].map(iso).join(', ')})` }),
        outward ? null : [' ← ', otherNode],
        ' ',
        h('span', { class: r[2] ? 'badge pk' : 'badge', text: r[2] ? t('declared') : t('inferred') }),
        r[5] !== null
          ? h('span', {
              class: r[5] > 0 ? 'sev sev-error' : 'muted',
              text: ` ${t('orphans')}${t('colon')}${fmt(r[5])}`,
            })
          : null,
        r[6] !== null ? h('span', { class: 'muted', text: ` · ${t('inclusion')} ${pct(r[6])}` }) : null,
      );
    };
    const out = outgoing.get(d.id) || [];
    const inn = incoming.get(d.id) || [];
    const panels = [
      h(
        'section',
        { class: 'panel' },
        facts([
          [t('primaryKey'), d.pk ? d.pk.map(iso).join(', ') : t('noKey')],
          [t('uniqueKeys'), list(d.uniqueKeys)],
          [t('candidateKeys'), p ? list(p.candidateKeys) || t('noKey') : null],
          [
            t('keyDuplicates'),
            p?.keyDuplicates.length
              ? p.keyDuplicates
                  .map(
                    (k) =>
                      `${k[0].map(iso).join(', ')}: ${fmt(k[1])}${k[2].length ? ` (${k[2].map((v) => iso(show(v))).join(', ')})` : ''}`,
                  )
                  .join(' · ')
              : null,
          ],
          [
            t('indexes'),
            d.indexes.length
              ? h(
                  'ul',
                  { class: 'plain' },
                  d.indexes.map((i) =>
                    h('li', {
                      class: 'mono',
                      text: `${iso(i[0])} (${i[1].map(iso).join(', ')})${i[2] ? ' unique' : ''}`,
                    }),
                  ),
                )
              : null,
          ],
        ]),
      ),
      h(
        'section',
        { class: 'panel' },
        h('h4', { text: t('foreignKeys') }),
        out.length
          ? h(
              'ul',
              { class: 'plain' },
              out.map((r) => relationRow(r, true)),
            )
          : h('p', { class: 'muted', text: t('none') }),
        h('h4', { text: t('referencedBy') }),
        inn.length
          ? h(
              'ul',
              { class: 'plain' },
              inn.map((r) => relationRow(r, false)),
            )
          : h('p', { class: 'muted', text: t('none') }),
        out.length || inn.length
          ? h('p', null, link(`relations=${encodeURIComponent(d.id)}`, `${t('viewDiagram')} →`))
          : null,
      ),
    ];
    return [
      h('h3', { text: `${t('primaryKey')} · ${t('foreignKeys')}` }),
      h('div', { class: 'grid2' }, panels),
    ];
  }

  /** `NULL_LIKE_VALUES — Valeurs qui tiennent lieu de valeur manquante`, or the code alone. */
  function codeLabel(code) {
    const title = data.findingTitles[code];
    return title ? `${code} — ${title}` : code;
  }

  function findingsTable(findings, state) {
    const columns = [
      { label: t('severity'), sort: (f) => f[F.severity], render: (f) => sevBadge(f[F.severity]) },
      {
        label: t('code'),
        sort: (f) => f[F.code],
        render: (f) => {
          const title = data.findingTitles[f[F.code]];
          const cell = h('span', {}, h('code', { text: f[F.code] }));
          if (title) cell.appendChild(h('span', { class: 'finding-title', text: title }));
          return cell;
        },
      },
      {
        label: t('where'),
        sort: (f) => `${f[F.dataset] || f[F.source]}\u0000${f[F.column] || ''}`,
        render: whereOf,
        cls: 'name',
      },
      {
        label: t('message'),
        sort: (f) => f[F.message],
        render: (f) => h('span', { class: 'value-text', text: isolatedMessage(f) }),
      },
      {
        label: t('evidence'),
        render: (f) => h('div', { class: 'evidence', text: evidenceText(f[F.evidence]) }),
        cls: 'optional',
      },
    ];
    return dataTable(columns, findings, state);
  }

  const findingsState = { q: '', severity: '', code: '', table: {} };

  function viewFindings(code) {
    if (code !== undefined) findingsState.code = code;
    const results = h('div', { id: 'findings-results' });
    const search = h('input', {
      type: 'search',
      id: 'findings-search',
      placeholder: t('searchFindings'),
      'aria-label': t('searchFindings'),
    });
    search.value = findingsState.q;
    const codes = [...new Set(data.findings.map((f) => f[F.code]))].sort();
    const refresh = () => {
      const q = findingsState.q.trim().toLowerCase();
      const rows = data.findings.filter(
        (f) =>
          (findingsState.severity === '' || String(f[F.severity]) === findingsState.severity) &&
          (findingsState.code === '' || f[F.code] === findingsState.code) &&
          (!q ||
            `${f[F.code]} ${data.findingTitles[f[F.code]] || ''} ${f[F.dataset] || f[F.source]} ${f[F.column] || ''} ${f[F.message]}`
              .toLowerCase()
              .includes(q)),
      );
      results.replaceChildren(
        h('p', { class: 'muted', text: t('shown', { n: fmt(rows.length), m: fmt(data.findings.length) }) }),
        findingsTable(rows, findingsState.table),
      );
    };
    search.addEventListener('input', () => {
      findingsState.q = search.value;
      findingsState.table.page = 0;
      refresh();
    });
    const controls = h(
      'div',
      { class: 'controls' },
      search,
      select(
        [['', t('allSeverities')]].concat(SEV.map((s, i) => [String(i), t(s)])),
        findingsState.severity,
        (v) => {
          findingsState.severity = v;
          findingsState.table.page = 0;
          refresh();
        },
        t('severity'),
      ),
      select(
        [['', t('allFindings')]].concat(codes.map((c) => [c, codeLabel(c)])),
        findingsState.code,
        (v) => {
          findingsState.code = v;
          findingsState.table.page = 0;
          refresh();
        },
        t('code'),
      ),
    );
    refresh();
    const out = [h('h2', { text: t('findings') })];
    if (data.rules.length) out.push(rulesTable());
    out.push(controls, results);
    return out;
  }

  function rulesTable() {
    const columns = [
      {
        label: t('status'),
        sort: (r) => r[4],
        render: (r) =>
          r[4] === 'passed' ? h('span', { class: 'score score-good', text: '✓' }) : sevBadge(r[3]),
      },
      { label: t('rule'), sort: (r) => r[0], render: (r) => h('code', { text: r[0] }) },
      {
        label: t('where'),
        sort: (r) => r[1],
        render: (r) => h('span', { class: 'name', text: r[2] ? `${r[1]} › ${r[2]}` : r[1] }),
      },
      {
        label: t('message'),
        sort: (r) => r[6],
        render: (r) =>
          h(
            'span',
            null,
            t('checkedFailed', { failed: fmt(r[6]), checked: fmt(r[5]) }),
            h('br'),
            h('span', { class: 'muted', text: r[7] }),
          ),
      },
    ];
    return h(
      'section',
      { class: 'panel' },
      h('h3', { text: t('rules') }),
      dataTable(columns, data.rules, {}),
    );
  }

  function viewRelations(id) {
    const out = [h('h2', { text: t('relations') }), h('p', { class: 'legend', text: t('diagramHint') })];
    if (data.relations.length === 0) return out.concat(h('p', { class: 'muted', text: t('noRelations') }));
    const involved = new Set();
    for (const r of data.relations) {
      if (byId.has(r[0])) involved.add(r[0]);
      if (byId.has(r[1])) involved.add(r[1]);
    }
    const options = [['', t('pickDataset')]].concat([...involved].sort(collator.compare).map((v) => [v, v]));
    out.push(
      h(
        'div',
        { class: 'controls' },
        select(
          options,
          id || '',
          (v) => {
            location.hash = v ? `relations=${encodeURIComponent(v)}` : 'relations';
          },
          t('dataset'),
        ),
        id ? link('relations', t('showAll')) : null,
      ),
    );
    if (id) {
      out.push(h('h3', { class: 'name', text: t('neighbourhood', { name: id }) }));
      out.push(neighbourhood(id));
    } else if (data.layout) out.push(fullDiagram(data.layout));
    else out.push(h('p', { class: 'muted', text: t('tooMany', { n: fmt(involved.size) }) }));
    return out;
  }

  function fullDiagram(layout) {
    const boxes = new Map();
    for (const n of layout.nodes) boxes.set(n.id, n);
    const root = diagramRoot(layout.width, layout.height);
    for (const band of layout.bands) {
      root.appendChild(
        svg('rect', { class: 'band', x: band.x, y: band.y, width: band.width, height: band.height, rx: 6 }),
      );
      root.appendChild(
        svg('text', { class: 'band-title', x: band.x + 10, y: band.y + 17, text: band.source }),
      );
    }
    drawEdges(root, boxes, layout.nodeWidth, layout.nodeHeight, null);
    for (const n of layout.nodes)
      root.appendChild(nodeBox(n, layout.nodeWidth, layout.nodeHeight, dsHash(n.id), false));
    return h('div', { class: 'diagram', id: 'relations-diagram' }, root);
  }

  function neighbourhood(id) {
    const W = 200;
    const H = 26;
    const gap = 10;
    const parents = [];
    const children = [];
    for (const r of outgoing.get(id) || []) if (r[1] !== id && !parents.includes(r[1])) parents.push(r[1]);
    for (const r of incoming.get(id) || []) if (r[0] !== id && !children.includes(r[0])) children.push(r[0]);
    const rows = Math.max(1, parents.length, children.length);
    const height = rows * (H + gap) + 2 * gap;
    const width = 3 * W + 2 * 120 + 2 * gap;
    const boxes = new Map();
    const place = (list, x) => {
      const top = (height - list.length * (H + gap)) / 2;
      list.forEach((n, i) => {
        if (!boxes.has(n)) boxes.set(n, { id: n, x, y: top + i * (H + gap) });
      });
    };
    boxes.set(id, { id, x: gap + W + 120, y: (height - H) / 2 });
    place(parents, gap);
    place(children, gap + 2 * (W + 120));
    const root = diagramRoot(width, height);
    const edges = [];
    for (const r of (outgoing.get(id) || []).concat(incoming.get(id) || []))
      if (boxes.has(r[0]) && boxes.has(r[1])) edges.push(r);
    drawEdges(root, boxes, W, H, edges);
    for (const n of boxes.values())
      root.appendChild(
        nodeBox(n, W, H, n.id === id ? dsHash(n.id) : `relations=${encodeURIComponent(n.id)}`, n.id === id),
      );
    return h('div', { class: 'diagram', id: 'relations-diagram' }, root);
  }

  function diagramRoot(width, height) {
    const root = svg('svg', {
      viewBox: `0 0 ${width} ${height}`,
      width,
      height,
      role: 'img',
      'aria-label': t('relations'),
    });
    root.appendChild(
      svg(
        'defs',
        null,
        svg(
          'marker',
          {
            id: 'arrow',
            viewBox: '0 0 10 10',
            refX: 9,
            refY: 5,
            markerWidth: 7,
            markerHeight: 7,
            orient: 'auto-start-reverse',
          },
          svg('path', { d: 'M0,0 L10,5 L0,10 z' }),
        ),
      ),
    );
    return root;
  }

  function drawEdges(root, boxes, W, H, only) {
    for (const r of only || data.relations) {
      const a = boxes.get(r[0]);
      const b = boxes.get(r[1]);
      if (!a || !b || a === b) continue;
      const ay = a.y + H / 2;
      const by = b.y + H / 2;
      let d;
      if (b.x + W <= a.x) {
        const mid = (a.x + b.x + W) / 2;
        d = `M${a.x},${ay} C${mid},${ay} ${mid},${by} ${b.x + W},${by}`;
      } else if (b.x >= a.x + W) {
        const mid = (a.x + W + b.x) / 2;
        d = `M${a.x + W},${ay} C${mid},${ay} ${mid},${by} ${b.x},${by}`;
      } else {
        d = `M${a.x + W},${ay} C${a.x + W + 40},${ay} ${b.x + W + 40},${by} ${b.x + W},${by}`;
      }
      const cls = `edge${r[2] ? '' : ' inferred'}${r[5] ? ' orphans' : ''}`;
      const label = `${r[0]} (${r[3].join(', ')}) → ${r[1]} (${r[4].join(', ')}) · ${r[2] ? t('declared') : t('inferred')}${r[5] !== null ? ` · ${t('orphans')}${t('colon')}${fmt(r[5])}` : ''}`;
      root.appendChild(
        svg('path', { class: cls, d, 'marker-end': 'url(#arrow)' }, svg('title', { text: label })),
      );
    }
  }

  function nodeBox(n, W, H, hash, focus) {
    const label = n.id.length > 30 ? `${n.id.slice(0, 29)}…` : n.id;
    return svg(
      'a',
      { href: `#${hash}`, class: focus ? 'node focus' : 'node', 'data-id': n.id },
      svg('title', { text: n.id }),
      svg('rect', { x: n.x, y: n.y, width: W, height: H, rx: 4 }),
      svg('text', { x: n.x + 8, y: n.y + H / 2 + 4, text: label }),
    );
  }

  function viewPlan() {
    const plan = data.plan;
    if (!plan) return [h('h2', { text: t('plan') }), h('p', { class: 'muted', text: t('none') })];
    const kinds = ['inserts', 'updates', 'deletes', 'unchanged', 'rejects'];
    const columns = [
      { label: t('mapping'), sort: (m) => m.name, render: (m) => h('span', { class: 'name', text: m.name }) },
    ]
      .concat(kinds.map((k) => ({ label: t(k), num: true, sort: (m) => m[k], render: (m) => fmt(m[k]) })))
      .concat([
        {
          label: '',
          render: (m) => {
            const total = kinds.reduce((n, k) => n + (m[k] || 0), 0) || 1;
            const bar = h('div', {
              class: 'stack',
              title: kinds.map((k) => `${t(k)} ${fmt(m[k])}`).join(' · '),
            });
            for (const k of kinds) {
              const part = h('span', { class: `s-${k}` });
              part.style.width = `${(100 * (m[k] || 0)) / total}%`;
              bar.appendChild(part);
            }
            return bar;
          },
        },
      ]);
    const out = [
      h('h2', { text: t('plan') }),
      h('p', {
        class: 'banner note',
        text: t('planDryRun', { date: plan.generatedAt ? dateText(plan.generatedAt) : '—' }),
      }),
      dataTable(columns, plan.mappings, {}),
    ];
    for (const m of plan.mappings) {
      if (!m.samples || m.samples.length === 0) continue;
      const rows = [];
      for (const sample of m.samples) {
        const kind = sample.kind ? t(`change_${sample.kind}`) : '';
        // A delete, or a reject of the whole row, changes no field: it still gets its line.
        const changes = sample.changes.length > 0 ? sample.changes : [null];
        changes.forEach((change, i) => {
          rows.push(
            h(
              'tr',
              { class: sample.kind === 'reject' ? 'reject' : null },
              h('td', { class: 'mono', text: i === 0 ? showKey(sample.key) : '' }),
              h('td', { text: i === 0 ? kind : '' }),
              h('td', { class: 'mono', text: change ? change.field : sample.field || '' }),
              h('td', null, change ? h('del', { class: 'old value-text', text: show(change.old) }) : null),
              h('td', null, change ? h('ins', { class: 'new value-text', text: show(change.new) }) : null),
            ),
          );
        });
        if (sample.kind === 'reject' && sample.reason) {
          const reason = h('td', {
            class: 'reason',
            text: sample.code ? `${sample.code}: ${sample.reason}` : sample.reason,
          });
          reason.colSpan = 4;
          rows.push(h('tr', { class: 'reject' }, h('td', null), reason));
        }
      }
      out.push(
        h(
          'section',
          { class: 'panel' },
          h('h3', { class: 'name', text: `${m.name} · ${t('planSamples')}` }),
          h(
            'div',
            { class: 'scroll' },
            h(
              'table',
              { class: 'plan-diff' },
              h(
                'thead',
                null,
                h(
                  'tr',
                  null,
                  [t('key'), t('kind'), t('field'), t('oldValue'), t('newValue')].map((x) =>
                    h('th', { text: x }),
                  ),
                ),
              ),
              h('tbody', null, rows),
            ),
          ),
        ),
      );
    }
    return out;
  }

  // ---- Hash navigation: #browse, #browse=crm, #dataset=crm.public.customers&column=email, #findings=CODE…
  function parseHash() {
    const raw = location.hash.replace(/^#/, '');
    const params = {};
    const parts = raw.split('&');
    const first = parts.shift() || '';
    const eq = first.indexOf('=');
    const view = eq < 0 ? first : first.slice(0, eq);
    const arg = eq < 0 ? undefined : decode(first.slice(eq + 1));
    for (const part of parts) {
      const i = part.indexOf('=');
      if (i > 0) params[part.slice(0, i)] = decode(part.slice(i + 1));
    }
    return { view, arg, params };
  }
  function decode(text) {
    try {
      return decodeURIComponent(text);
    } catch {
      return text;
    }
  }

  const overview = document.getElementById('view-overview');
  const app = document.getElementById('view-app');
  const VIEWS = { browse: viewBrowse, findings: viewFindings, relations: viewRelations, plan: viewPlan };

  function route() {
    const { view, arg, params } = parseHash();
    // Own views only: `#constructor` or `#toString` must not resolve to Object.prototype's members.
    const active = view === 'dataset' ? 'browse' : Object.hasOwn(VIEWS, view) ? view : 'overview';
    for (const a of document.querySelectorAll('#nav a'))
      a.classList.toggle('active', a.getAttribute('data-view') === active);
    if (active === 'overview') {
      overview.hidden = false;
      app.hidden = true;
      app.replaceChildren();
      document.title = data.title;
      return;
    }
    const content = view === 'dataset' ? viewDataset(arg || '', params.column) : VIEWS[view](arg);
    app.replaceChildren(...[].concat(content));
    overview.hidden = true;
    app.hidden = false;
    document.title = `${view === 'dataset' ? iso(arg) : t(view)} · ${iso(data.title)}`;
    if (!(view === 'dataset' && params.column)) window.scrollTo(0, 0);
  }

  window.addEventListener('hashchange', route);
  route();
  performance.mark('stocktake-ready');
  document.body.dataset.ready = '1';
})();
