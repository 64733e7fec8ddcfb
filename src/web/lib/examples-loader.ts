/** Fetches a shipped dataset from the app's own `/data/` folder once per page load. */
import { TokenSkipError } from '../../core/errors.ts';
import {
  datasets,
  parseExamples,
  type DatasetId,
  type Example,
} from '../../core/datasets/examples.ts';

const loaded = new Map<DatasetId, Promise<Example[]>>();

export function loadExamples(id: DatasetId): Promise<Example[]> {
  let list = loaded.get(id);
  if (!list) {
    list = fetch(`${import.meta.env.BASE_URL}${datasets[id].path}`).then(async (response) => {
      if (!response.ok) {
        throw new TokenSkipError('DOWNLOAD_FAILED', {
          id: 'datasetLoadFailed',
          params: { file: datasets[id].path, status: response.status },
        });
      }
      return parseExamples(id, await response.text());
    });
    list.catch(() => loaded.delete(id));
    loaded.set(id, list);
  }
  return list;
}
