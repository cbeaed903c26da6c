import { credentialProblem } from '../../core/contracts/readiness.ts';
import { selectBulkBusy, useBulkStore } from '../../store/bulk.ts';
import { selectFacesChecking, usePreflightStore } from '../../store/preflight.ts';
import { selectContract, settingsBlocker, useSettingsStore } from '../../store/settings.ts';
import { selectSweepBlocker, useSweepStore } from '../../store/sweep.ts';
import { RunButton } from '../components/RunButton.tsx';

/** Run while Bulk is showing: it starts the bulk run, or says why it cannot. */
export function BulkHeaderControls() {
  const busy = useBulkStore(selectBulkBusy);
  const phase = useBulkStore((s) => s.phase);
  const loading = useBulkStore((s) => s.loading);
  const pairs = useBulkStore((s) => s.zip?.pairs.length ?? null);
  const contract = useSettingsStore(selectContract);
  const credentials = useSettingsStore((s) => s.credentials);
  const run = useBulkStore((s) => s.run);
  const checkingFaces = usePreflightStore(selectFacesChecking);
  const settingsProblem = useSettingsStore(settingsBlocker);
  const sweepProblem = useSweepStore(selectSweepBlocker);
  let blocker: string | null;
  if (phase === 'running') blocker = 'A bulk run is in flight: stop it or wait for it to finish.';
  else if (phase === 'building') blocker = 'The results archive is being built.';
  else if (loading) blocker = 'The ZIP is being read.';
  else if (pairs === null) blocker = 'Choose a ZIP of image pairs first.';
  else if (pairs === 0) blocker = 'The ZIP holds no image pair to send: choose another one.';
  else if (checkingFaces) blocker = 'Faces are being checked: wait for the check to finish or stop it.';
  else blocker = sweepProblem ?? settingsProblem ?? credentialProblem(contract, credentials);
  // No spinner: the run's own progress bar shows it working (see RunButton's `spinner`).
  return <RunButton blocker={blocker} busy={busy} run={() => void run()} spinner={false} />;
}
