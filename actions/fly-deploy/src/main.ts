import { parseInputs, runStep, UserError } from '@deploy-actions/toolkit';
import { inputs, outputs } from './contract';

await runStep(outputs, async () => {
  parseInputs(inputs);
  throw new UserError('fly-deploy is not implemented yet');
});
