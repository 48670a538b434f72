/**
 * Next and previous study of the list the reader came from: OHIF 3.13's study list keeps its filters and sorting
 * (in the tab's session storage, `studyList.tableState`); the same search is asked of the data source again, filtered
 * and ordered as the list's columns do it, and the study after (or before) the one shown is opened. An annotation
 * campaign is this, a thousand times: the list is asked again each step, so studies stored meanwhile take their place.
 */
import { UserError } from '../userError';
import { CommandContext } from './context';
import { StudyListPort, Target } from './ports';
import { refuseToStrand } from './runs';

/** The study list's table state as OHIF 3.13 keeps it (TanStack table column filters and sorting). */
export interface StudyListState {
  filters?: { id: string; value: unknown }[];
  sorting?: { id: string; desc?: boolean }[];
}

/** OHIF's study search parameters (what its DICOMweb data source turns into a QIDO-RS query). */
export interface StudySearch {
  patientName?: string;
  patientId?: string;
  studyDescription?: string;
  accessionNumber?: string;
  modalitiesInStudy?: string[];
  startDate?: string;
  endDate?: string;
  offset: number;
  limit: number;
}

/** A study as OHIF's data source lists it. */
export interface StudyRow {
  studyInstanceUid: string;
  patientName?: string;
  mrn?: string;
  date?: string;
  time?: string;
  description?: string;
  accession?: string;
  modalities?: string;
  instances?: number | string;
}

type TextSearch = 'patientName' | 'patientId' | 'studyDescription' | 'accessionNumber';

const TEXT_COLUMNS: Record<string, { search: TextSearch; row: keyof StudyRow }> = {
  patient: { search: 'patientName', row: 'patientName' },
  mrn: { search: 'patientId', row: 'mrn' },
  description: { search: 'studyDescription', row: 'description' },
  accession: { search: 'accessionNumber', row: 'accession' },
};

const dateRange = (value: unknown): { startDate?: string; endDate?: string } =>
  value && typeof value === 'object' ? (value as { startDate?: string; endDate?: string }) : {};

/** The search the study list sends for this state, up to `limit` studies (the data source's queryLimit). */
export function listSearch(state: StudyListState, limit: number): StudySearch {
  const search: StudySearch = { offset: 0, limit };
  for (const { id, value } of state.filters ?? []) {
    const text = TEXT_COLUMNS[id];
    if (text && typeof value === 'string' && value) search[text.search] = value;
    else if (id === 'modalities' && Array.isArray(value) && value.length) search.modalitiesInStudy = value.map(String);
    else if (id === 'studyDateTime') {
      const { startDate, endDate } = dateRange(value);
      if (startDate) search.startDate = startDate;
      if (endDate) search.endDate = endDate;
    }
  }
  return search;
}

const modalityTokens = (value: unknown) => String(value ?? '').toUpperCase().split(/[\s,/\\]+/).filter(Boolean);
const dateTime = (r: StudyRow) => `${String(r.date ?? '').replace(/\D/g, '')}${String(r.time ?? '').replace(/[^\d.]/g, '').padEnd(6, '0')}`;

/** Whether the list shows the row under its filters (a PACS may match more loosely than the list's columns do). */
function shown(row: StudyRow, state: StudyListState): boolean {
  return (state.filters ?? []).every(({ id, value }) => {
    const text = TEXT_COLUMNS[id];
    if (text) return typeof value !== 'string' || String(row[text.row] ?? '').toLowerCase().includes(value.toLowerCase());
    if (id === 'modalities' && Array.isArray(value) && value.length) {
      const tokens = new Set(modalityTokens(row.modalities));
      return value.some((v) => tokens.has(String(v).toUpperCase()));
    }
    if (id === 'studyDateTime') {
      const { startDate, endDate } = dateRange(value);
      const date = String(row.date ?? '').replace(/\D/g, '');
      if (!startDate && !endDate) return true;
      return !!date && !(startDate && date < startDate) && !(endDate && date > endDate);
    }
    return true;
  });
}

const SORT_KEYS: Record<string, (r: StudyRow) => string | number> = {
  patient: (r) => r.patientName ?? '',
  mrn: (r) => r.mrn ?? '',
  studyDateTime: dateTime,
  modalities: (r) => r.modalities ?? '',
  description: (r) => r.description ?? '',
  accession: (r) => r.accession ?? '',
  instances: (r) => Number(r.instances ?? 0),
};

const compare = (a: string | number, b: string | number) =>
  typeof a === 'number' && typeof b === 'number' ? a - b : String(a).localeCompare(String(b), undefined, { numeric: true, sensitivity: 'base' });

/** The Study Instance UIDs in the list's order: its filters, then its sort column (ties and no sorting: as answered). */
export function listOrder(rows: StudyRow[], state: StudyListState): string[] {
  const sort = state.sorting?.[0];
  const key = sort && SORT_KEYS[sort.id];
  const kept = rows.map((row, index) => ({ row, index })).filter(({ row }) => shown(row, state));
  if (key) kept.sort((a, b) => (sort.desc ? -1 : 1) * compare(key(a.row), key(b.row)) || a.index - b.index);
  return kept.map(({ row }) => row.studyInstanceUid);
}

/** The study `step` places after (1) or before (-1) `current` in the list, or why there is none. */
export function neighbour(order: string[], current: string, step: 1 | -1): { study: string } | { none: string } {
  const at = order.indexOf(current);
  if (at < 0) return { none: `the study shown is not in the study list as it stands now (${order.length} ${order.length === 1 ? 'study' : 'studies'} under its filters)` };
  const next = order[at + step];
  if (next === undefined) return { none: `this is the ${step > 0 ? 'last' : 'first'} study of the study list (${at + 1} of ${order.length})` };
  return { study: next };
}

/**
 * Opens the next (1) or previous (-1) study of the reader's study list. Refused while a series of the study shown
 * holds a segmentation the PACS does not have: leaving would discard it.
 */
export async function stepStudy<T extends Target>(context: CommandContext<T>, list: StudyListPort, step: 1 | -1): Promise<void> {
  const { host, runs, panel } = context;
  const current = list.currentStudy();
  if (!current) throw new UserError('no study is open');
  let active: T | undefined;
  try {
    active = host.activeTarget();
  } catch {
    // No image shown yet: the runs are checked on their own frames.
  }
  for (const run of runs.all(host)) {
    const target = active?.displaySet.displaySetInstanceUID === run.displaySetUID ? active : undefined;
    refuseToStrand(run, target, host, `moving to the ${step > 0 ? 'next' : 'previous'} study`, (m) => new UserError(m));
  }
  const state = list.listState();
  if (!state) throw new UserError('there is no study list to step through: open the study from the study list, and the hotkeys step through that list');
  const order = listOrder(await list.searchStudies(listSearch(state, list.searchLimit())), state);
  const found = neighbour(order, current, step);
  if ('none' in found) throw new UserError(found.none);
  panel.say(`Opening the ${step > 0 ? 'next' : 'previous'} study of the list (${order.indexOf(found.study) + 1} of ${order.length})…`);
  list.showStudy(found.study);
}
