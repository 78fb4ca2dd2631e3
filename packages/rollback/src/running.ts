import { type Fly, listMachines, machineImageRef, machineReleaseVersion, sameImage } from '@deploy-actions/fly';

/** The image a rollback must leave running: its reference, and its digest when a record names one. */
export interface ExpectedImage {
  imageRef: string;
  digest?: string;
}

/**
 * What is wrong with the images the app's machines run after a rollback, or undefined when every
 * machine of the rollback release runs the target: the reference deployed, and the digest the record
 * verified when it carries one (a tag can be pushed again; a digest names the exact image). The
 * Machines API reports both per machine (`config.image` and `image_ref.digest`, superfly/fly-go@v0.9.5
 * machine_types.go:51 and :285, `MachineImageRef`).
 */
export async function runningImageProblem(
  fly: Fly,
  app: string,
  expected: ExpectedImage,
  releaseVersion: number | undefined,
): Promise<string | undefined> {
  const machines = (await listMachines(fly, app)).filter(
    (m) =>
      m.state !== 'destroyed' &&
      m.state !== 'destroying' &&
      (releaseVersion === undefined || machineReleaseVersion(m) === releaseVersion),
  );
  if (machines.length === 0) {
    return `no machine of ${app} runs release v${releaseVersion ?? '?'}, so the image cannot be checked`;
  }
  for (const machine of machines) {
    const ref = machineImageRef(machine);
    const digest = machine.image_ref?.digest || undefined;
    if (expected.digest && digest !== expected.digest) {
      return `machine ${machine.id} runs ${ref} with digest ${digest ?? '(none reported)'}, not the recorded ${expected.digest}`;
    }
    if (!sameImage(ref, expected.imageRef) && !(expected.digest && digest === expected.digest)) {
      return `machine ${machine.id} runs ${ref || '(no image reported)'}, not ${expected.imageRef}`;
    }
  }
  return undefined;
}
