// Preloaded into a measured process (NODE_OPTIONS=--import): writes its peak resident set size
// (process.resourceUsage().maxRSS, in KiB) to $PEAK_RSS_FILE when it exits.
import { writeFileSync } from 'node:fs';

process.on('exit', () => {
  if (process.env.PEAK_RSS_FILE) {
    writeFileSync(process.env.PEAK_RSS_FILE, String(process.resourceUsage().maxRSS));
  }
});
