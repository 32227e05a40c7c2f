/**
 * What a model's web page shows, derived once from the served model: facts, metrics, lineage with
 * repository links, the data summary and, per feature, its input (kind, example, step) and what a
 * missing value becomes. Pure: the templates only lay it out.
 */
import path from 'node:path/posix';
import type { ServedModel } from '../model.ts';
import { formatCount, formatMetric, formatPercent, metricLabel, roundForPeople, stepFor, withoutNoise } from './format.ts';

export interface FeatureView {
  name: string;
  type: 'number' | 'boolean' | 'category';
  /** number: the rounded median; boolean: the majority; category: the first category. */
  example: string;
  step?: string;
  categories?: readonly string[];
  /** What the model uses for a missing value, in words. */
  missing: string;
  /** Missing cells among the training rows, when the artifact says. */
  missingInTraining?: number;
}

export interface LinkedText {
  text: string;
  href?: string;
}

export interface ModelView {
  name: string;
  version: string;
  sha256: string;
  task: 'classification' | 'regression';
  algorithm: string;
  target: string;
  classes: readonly string[];
  metrics: { label: string; value: string }[];
  lineage: { label: string; value: LinkedText; detail?: string }[];
  rows?: { train: string; holdout: string };
  /** Classification: training rows per class. */
  balance?: { name: string; count: number; share: number; label: string }[];
  /** Regression: the training target's spread. */
  spread?: { mean: number; std: number; min: number; max: number };
  features: FeatureView[];
}

/** `https://github.com/o/r/` → `https://github.com/o/r`; anything but http(s) gives no links. */
export function repositoryBase(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    const parsed = new URL(url);
    if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return undefined;
    return parsed.href.replace(/\.git$/, '').replace(/\/+$/, '');
  } catch {
    return undefined;
  }
}

function featureView(model: ServedModel, i: number): FeatureView {
  const f = model.features[i]!;
  const summary = 'data' in model.artifact ? model.artifact.data.features.find((s) => s.name === f.name) : undefined;
  const missingInTraining = summary?.missing;
  switch (f.type) {
    case 'number': {
      const example = roundForPeople(f.impute);
      return { name: f.name, type: 'number', example: String(example), step: stepFor(example), missing: `the training median, ${withoutNoise(f.impute)}`, missingInTraining };
    }
    case 'boolean':
      return { name: f.name, type: 'boolean', example: f.impute === 1 ? 'true' : 'false', missing: `the training majority, ${f.impute === 1 ? 'true' : 'false'}`, missingInTraining };
    case 'category':
      return {
        name: f.name,
        type: 'category',
        example: f.categories[0] ?? '',
        categories: f.categories,
        missing: 'none of the known categories (as is an unseen one)',
        missingInTraining,
      };
  }
}

export function describeModel(model: ServedModel, repositoryUrl?: string): ModelView {
  const a = model.artifact;
  const repo = repositoryBase(repositoryUrl);
  const commit = model.entry.source.commit;
  const atCommit = (file: string) => (repo && commit ? `${repo}/blob/${commit}/${file}` : undefined);
  const specPath = model.entry.source.spec;
  const dataPath = path.join(path.dirname(specPath), a.lineage.data.file);
  const lineage: ModelView['lineage'] = [
    { label: 'Spec', value: { text: specPath, href: atCommit(specPath) }, detail: `sha256 ${a.lineage.spec.sha256}` },
    { label: 'Data', value: { text: dataPath, href: atCommit(dataPath) }, detail: `sha256 ${a.lineage.data.sha256}, ${formatCount(a.lineage.data.rows)} rows` },
  ];
  if (a.lineage.holdout) {
    const holdoutPath = path.join(path.dirname(specPath), a.lineage.holdout.file);
    lineage.push({ label: 'Holdout', value: { text: holdoutPath, href: atCommit(holdoutPath) }, detail: `sha256 ${a.lineage.holdout.sha256}, ${formatCount(a.lineage.holdout.rows)} rows` });
  } else if (a.lineage.split) {
    lineage.push({ label: 'Holdout', value: { text: `${formatPercent(a.lineage.split.test)} of the data, seed ${a.lineage.split.seed}` } });
  }
  lineage.push({ label: 'Trainer', value: { text: a.lineage.trainer } });
  lineage.push({ label: 'Commit', value: commit ? { text: commit.slice(0, 12), href: repo ? `${repo}/commit/${commit}` : undefined } : { text: 'not recorded' } });

  const view: ModelView = {
    name: model.name,
    version: model.version,
    sha256: model.sha256,
    task: a.task,
    algorithm: a.algorithm,
    target: a.target.name,
    classes: a.task === 'classification' ? a.target.classes : [],
    metrics: Object.entries(model.info.metrics).map(([name, value]) => ({ label: metricLabel(name), value: formatMetric(name, value) })),
    lineage,
    features: model.features.map((_, i) => featureView(model, i)),
  };
  if ('data' in a) {
    view.rows = { train: formatCount(a.data.rows.train), holdout: formatCount(a.data.rows.holdout) };
    const target = a.data.target;
    if (target.kind === 'classes') {
      const total = Object.values(target.train).reduce((s, n) => s + n, 0);
      view.balance = Object.entries(target.train).map(([name, count]) => {
        const share = total > 0 ? count / total : 0;
        return { name, count, share, label: `${formatCount(count)} (${formatPercent(share)})` };
      });
    } else {
      view.spread = target.train;
    }
  }
  return view;
}
