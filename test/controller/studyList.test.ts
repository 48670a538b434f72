import { listOrder, listSearch, neighbour, stepStudy, StudyListState, StudyRow, StudySearch } from '../../extension/src/controller/studyList';
import { StudyListPort } from '../../extension/src/controller/ports';
import { segment } from '../../extension/src/controller/segment';
import { store } from '../../extension/src/controller/store';
import { world, World } from './fakes';

const LESION = [0.9, 0.7, 0.3, 0.1];

/** Five studies as a data source answers them, in no useful order. */
const ROWS: StudyRow[] = [
  { studyInstanceUid: '2.25.3', patientName: 'Chen^Li', mrn: 'P3', date: '20261103', time: '090000', description: 'US breast left', accession: 'A3', modalities: 'US', instances: 2 },
  { studyInstanceUid: '2.25.1', patientName: 'adams^Ann', mrn: 'P10', date: '20261101', time: '120000', description: 'US breast right', accession: 'A1', modalities: 'US\\SR', instances: 10 },
  { studyInstanceUid: '2.25.5', patientName: 'Eze^Obi', mrn: 'P5', date: '20261101', time: '080000', description: 'CT chest', accession: 'A5', modalities: 'CT', instances: 120 },
  { studyInstanceUid: '2.25.2', patientName: 'Baker^Bo', mrn: 'P2', date: '20261030', description: 'US breast', accession: 'A2', modalities: 'US,SEG', instances: 1 },
  { studyInstanceUid: '2.25.4', patientName: 'Adams^Ann', mrn: 'P4', date: '20261102', time: '1015', description: 'MR', accession: 'A4', modalities: 'MR', instances: 40 },
];

describe('the study list the reader came from', () => {
  it.each<[string, StudyListState, Partial<StudySearch>]>([
    ['no filters', { filters: [], sorting: [] }, {}],
    ['text columns', { filters: [{ id: 'patient', value: 'ada' }, { id: 'mrn', value: 'P1' }, { id: 'description', value: 'breast' }, { id: 'accession', value: 'A' }] },
      { patientName: 'ada', patientId: 'P1', studyDescription: 'breast', accessionNumber: 'A' }],
    ['modalities and a date range', { filters: [{ id: 'modalities', value: ['US', 'MR'] }, { id: 'studyDateTime', value: { startDate: '20261101', endDate: '20261102' } }] },
      { modalitiesInStudy: ['US', 'MR'], startDate: '20261101', endDate: '20261102' }],
    ['empty values and columns it does not search by', { filters: [{ id: 'patient', value: '' }, { id: 'modalities', value: [] }, { id: 'instances', value: '3' }] }, {}],
  ])('%s: the search the list sends', (_, state, expected) => {
    expect(listSearch(state, 101)).toEqual({ offset: 0, limit: 101, ...expected });
  });

  it.each<[string, StudyListState, string[]]>([
    ['no sorting: as the data source answered', { filters: [], sorting: [] }, ['2.25.3', '2.25.1', '2.25.5', '2.25.2', '2.25.4']],
    ['by patient, case aside, ties as answered', { sorting: [{ id: 'patient', desc: false }] }, ['2.25.1', '2.25.4', '2.25.2', '2.25.3', '2.25.5']],
    ['by study date and time, newest first', { sorting: [{ id: 'studyDateTime', desc: true }] }, ['2.25.3', '2.25.4', '2.25.1', '2.25.5', '2.25.2']],
    ['by MRN, numbers as numbers', { sorting: [{ id: 'mrn' }] }, ['2.25.2', '2.25.3', '2.25.4', '2.25.5', '2.25.1']],
    ['by instances, descending', { sorting: [{ id: 'instances', desc: true }] }, ['2.25.5', '2.25.4', '2.25.1', '2.25.3', '2.25.2']],
    ['US studies only (a PACS may answer more): each listed modality a token', { filters: [{ id: 'modalities', value: ['us'] }] }, ['2.25.3', '2.25.1', '2.25.2']],
    ['a date range, days inclusive', { filters: [{ id: 'studyDateTime', value: { startDate: '20261101', endDate: '20261102' } }], sorting: [{ id: 'studyDateTime' }] }, ['2.25.5', '2.25.1', '2.25.4']],
    ['text filters as the list matches them: contained, case aside', { filters: [{ id: 'description', value: 'BREAST' }, { id: 'patient', value: 'a' }] }, ['2.25.1', '2.25.2']],
  ])('%s: the order the list shows', (_, state, order) => {
    expect(listOrder(ROWS, state)).toEqual(order);
  });

  it.each<[string, string, 1 | -1, ReturnType<typeof neighbour>]>([
    ['next', '2.25.2', 1, { study: '2.25.3' }],
    ['previous', '2.25.2', -1, { study: '2.25.1' }],
    ['next of the last', '2.25.3', 1, { none: 'this is the last study of the study list (3 of 3)' }],
    ['previous of the first', '2.25.1', -1, { none: 'this is the first study of the study list (1 of 3)' }],
    ['a study no longer in the list', '2.25.9', 1, { none: 'the study shown is not in the study list as it stands now (3 studies under its filters)' }],
  ])('%s', (_, current, step, expected) => {
    expect(neighbour(['2.25.1', '2.25.2', '2.25.3'], current, step)).toEqual(expected);
  });
});

class FakeStudyList implements StudyListPort {
  readonly searches: StudySearch[] = [];
  readonly shown: string[] = [];
  constructor(public state: StudyListState | undefined, public current = '2.25.1') {}
  currentStudy() {
    return this.current;
  }
  listState() {
    return this.state;
  }
  searchLimit() {
    return 50;
  }
  async searchStudies(search: StudySearch) {
    this.searches.push(search);
    return ROWS;
  }
  showStudy(study: string) {
    this.shown.push(study);
  }
}

describe('next and previous study', () => {
  const usByDate: StudyListState = { filters: [{ id: 'modalities', value: ['US'] }], sorting: [{ id: 'studyDateTime', desc: false }] };

  it('opens the study after the one shown in the list as sorted, having asked the data source with its filters', async () => {
    const w = world([LESION]);
    const list = new FakeStudyList(usByDate);
    await stepStudy(w.ctx, list, 1);
    expect(list.searches).toEqual([{ offset: 0, limit: 50, modalitiesInStudy: ['US'] }]);
    expect(list.shown).toEqual(['2.25.3']);
    expect(w.panel.last).toBe('Opening the next study of the list (3 of 3)…');
    await stepStudy(w.ctx, list, -1);
    expect(list.shown).toEqual(['2.25.3', '2.25.2']);
  });

  it.each<[string, (w: World) => Promise<void>, RegExp | undefined]>([
    ['an AI result never stored', async (w) => void (await segment(w.ctx, w.host.imageIds(), w.host.target)),
      /^the AI segmentation on this series holds work the PACS does not have: store it, or delete it in the Segmentation panel, before moving to the next study$/],
    ['a stored one the reader has since corrected', async (w) => {
      await segment(w.ctx, w.host.imageIds(), w.host.target);
      await store(w.ctx, w.host.target);
      w.host.paint('img1', [3], 1);
    }, /holds work the PACS does not have/],
    ['the same with no image shown (the runs are checked on their own images)', async (w) => {
      await segment(w.ctx, w.host.imageIds(), w.host.target);
      await store(w.ctx, w.host.target);
      w.host.paint('img1', [3], 1);
      w.host.unavailable = 'the active viewport shows no image';
    }, /holds work the PACS does not have/],
    ['a stored one, unchanged', async (w) => {
      await segment(w.ctx, w.host.imageIds(), w.host.target);
      await store(w.ctx, w.host.target);
    }, undefined],
    ['an unstored one the reader deleted in the Segmentation panel', async (w) => {
      await segment(w.ctx, w.host.imageIds(), w.host.target);
      w.host.deleteSegmentation(w.host.created[0].id);
    }, undefined],
  ])('with %s in the study shown: refused, nothing opened, or opened when nothing is lost', async (_, before, refused) => {
    const w = world([LESION, LESION]);
    await before(w);
    const list = new FakeStudyList(usByDate);
    const step = stepStudy(w.ctx, list, 1);
    if (refused) {
      await expect(step).rejects.toThrow(refused);
      expect(list.shown).toEqual([]);
      expect(list.searches).toEqual([]);
    } else {
      await step;
      expect(list.shown).toEqual(['2.25.3']);
    }
  });

  it.each<[string, FakeStudyList, RegExp]>([
    ['opened by a link, not from the study list', new FakeStudyList(undefined), /^there is no study list to step through: open the study from the study list, and the hotkeys step through that list$/],
    ['at the end of the list', new FakeStudyList(usByDate, '2.25.3'), /^this is the last study of the study list \(3 of 3\)$/],
    ['no study open', new FakeStudyList(usByDate, ''), /^no study is open$/],
  ])('%s: says why, opens nothing', async (_, list, message) => {
    const w = world([LESION]);
    await expect(stepStudy(w.ctx, list, 1)).rejects.toThrow(message);
    expect(list.shown).toEqual([]);
  });
});
