import { parseInputs, runStep, UserError } from '@deploy-actions/toolkit';
import { inputs, outputs } from './contract';

await runStep(outputs, async () => {
  parseInputs(inputs);
  throw new UserError('business-hours-gate is not implemented yet');
});
