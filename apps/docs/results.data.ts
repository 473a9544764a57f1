// Build-time data loader: reads the bench's latest results.json (default preset, else quick)
// and, when present, copies its charts next to the built page. Nothing here runs in the browser.
import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** One row of the results table. */
export interface ResultRow {
  method: string;
  /** `'primary'` (in a comparison fixed before the run) or `'ablation'`; null in old files. */
  role: 'primary' | 'ablation' | null;
  /** Last-epoch test accuracy over seeds. */
  mean: number;
  std: number;
  /** Best-epoch test accuracy over seeds (null in old files). */
  bestMean: number | null;
  bestStd: number | null;
  n: number;
  deltaVsBaseline: number | null;
  /** 95 % Welch CI of the difference to the baseline (null without one). */
  ciLow: number | null;
  ciHigh: number | null;
  /** Welch t-test p-value against the baseline (null without one). */
  pValue: number | null;
  meanDurationMs: number;
}

/** A comparison fixed before the run, with its Welch test. */
export interface ComparisonRow {
  method: string;
  reference: string;
  difference: number;
  ciLow: number | null;
  ciHigh: number | null;
  pValue: number | null;
  n: [number, number];
}

/** What the Results page renders. */
export interface ResultsData {
  /** Whether a results.json was found. */
  found: boolean;
  /** Repository-relative path of the file read. */
  source: string | null;
  preset: string | null;
  date: string | null;
  backend: string | null;
  machine: string | null;
  taps: string[];
  teacher: { model: string; params: number; macs: number; accuracy: number } | null;
  student: { model: string; params: number; macs: number } | null;
  rows: ResultRow[];
  /** The primary comparisons (schema 2 and later). */
  comparisons: ComparisonRow[];
  /**
   * The bench's verdict ("significant" only at p < 0.05). Null for results written before the
   * bench tested significance (schema 1): their verdict is not shown.
   */
  verdict: string | null;
  /**
   * Charts the bench wrote, file name → URL under the site's base (`/results/<file>`). The files
   * are copied into `public/results/` and loaded as images, so the page's script stays small
   * (inlined, the similarity heatmaps made it 4 MB).
   */
  charts: Record<string, string>;
}

/** The part of the bench's results.json (schemaVersion 1) this page reads; all optional. */
interface RawComparison {
  method: string;
  reference: string;
  difference: number;
  ciLow: number;
  ciHigh: number;
  pValue: number;
  n: [number, number];
}

interface RawResults {
  schemaVersion?: number;
  preset?: string;
  date?: string;
  backend?: string;
  backendDetails?: { name: string; version: string; threads: number; simd: boolean };
  machine?: { cpuModel: string; cores: number; platform: string; node: string };
  taps?: string[];
  teacher?: { model: string; params: number; macs: number; accuracy: number };
  student?: { model: string; params: number; macs: number };
  summary?: {
    method: string;
    mean: number;
    std: number;
    n: number;
    deltaVsBaseline?: number;
    meanDurationMs: number;
    role?: 'primary' | 'ablation';
    bestMean?: number;
    bestStd?: number;
    vsBaseline?: RawComparison;
  }[];
  comparisons?: RawComparison[];
  verdict?: string;
}

/** A finite number, or null (JSON writes NaN as null). */
const finite = (value: unknown): number | null =>
  typeof value === 'number' && Number.isFinite(value) ? value : null;

/** The bench's output folder; `GEOKD_DOCS_RESULTS_DIR` points the page at another one. */
const benchResults = process.env.GEOKD_DOCS_RESULTS_DIR
  ? `${process.env.GEOKD_DOCS_RESULTS_DIR.replace(/\/$/, '')}/`
  : fileURLToPath(new URL('../bench/results/', import.meta.url));
const PRESETS = ['default', 'quick'];
const CHARTS = ['accuracy.svg', 'learning-curves.svg', 'similarity-graphs.svg'];

function empty(): ResultsData {
  return {
    found: false,
    source: null,
    preset: null,
    date: null,
    backend: null,
    machine: null,
    taps: [],
    teacher: null,
    student: null,
    rows: [],
    comparisons: [],
    verdict: null,
    charts: {},
  };
}

/** Where the charts are copied for the site to serve them (`public/` is copied as is). */
const publicResults = fileURLToPath(new URL('./public/results/', import.meta.url));

/**
 * Reads the first results.json among the presets and copies its charts into `chartsDir`;
 * exported for the test.
 */
export function readResults(
  root: string = benchResults,
  chartsDir: string = publicResults,
): ResultsData {
  for (const preset of PRESETS) {
    const file = `${root}${preset}/results.json`;
    if (!existsSync(file)) continue;
    const raw = JSON.parse(readFileSync(file, 'utf8')) as RawResults;
    const charts: Record<string, string> = {};
    for (const chart of CHARTS) {
      const path = `${root}${preset}/${chart}`;
      if (existsSync(path)) {
        mkdirSync(chartsDir, { recursive: true });
        copyFileSync(path, `${chartsDir.replace(/\/$/, '')}/${chart}`);
        charts[chart] = `/results/${chart}`;
      }
    }
    const machine = raw.machine
      ? `${raw.machine.cpuModel}, ${raw.machine.cores} cores, ${raw.machine.platform}, Node ${raw.machine.node}`
      : null;
    return {
      found: true,
      source: `apps/bench/results/${preset}/results.json`,
      preset: raw.preset ?? preset,
      date: raw.date ?? null,
      backend: raw.backendDetails
        ? `${raw.backendDetails.name} ${raw.backendDetails.version}${raw.backendDetails.simd ? ', SIMD' : ''}, ${raw.backendDetails.threads} thread(s)`
        : (raw.backend ?? null),
      machine,
      taps: Array.isArray(raw.taps) ? raw.taps : [],
      teacher: raw.teacher
        ? {
            model: raw.teacher.model,
            params: raw.teacher.params,
            macs: raw.teacher.macs,
            accuracy: raw.teacher.accuracy,
          }
        : null,
      student: raw.student
        ? { model: raw.student.model, params: raw.student.params, macs: raw.student.macs }
        : null,
      rows: (Array.isArray(raw.summary) ? raw.summary : []).map((row) => ({
        method: String(row.method),
        mean: Number(row.mean),
        std: Number(row.std),
        n: Number(row.n),
        deltaVsBaseline: typeof row.deltaVsBaseline === 'number' ? row.deltaVsBaseline : null,
        role: row.role ?? null,
        bestMean: finite(row.bestMean),
        bestStd: finite(row.bestStd),
        ciLow: finite(row.vsBaseline?.ciLow),
        ciHigh: finite(row.vsBaseline?.ciHigh),
        pValue: finite(row.vsBaseline?.pValue),
        meanDurationMs: Number(row.meanDurationMs),
      })),
      comparisons: (Array.isArray(raw.comparisons) ? raw.comparisons : []).map((c) => ({
        method: String(c.method),
        reference: String(c.reference),
        difference: Number(c.difference),
        ciLow: finite(c.ciLow),
        ciHigh: finite(c.ciHigh),
        pValue: finite(c.pValue),
        n: [Number(c.n?.[0]), Number(c.n?.[1])],
      })),
      // Schema 1 verdicts picked the best GKD variant after the fact, without a test: not shown.
      verdict: (raw.schemaVersion ?? 1) >= 2 ? (raw.verdict ?? null) : null,
      charts,
    };
  }
  return empty();
}

export default {
  watch: PRESETS.map((preset) => `../bench/results/${preset}/*`),
  load(): ResultsData {
    return readResults();
  },
};
