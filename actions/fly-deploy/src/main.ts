import { allowedPreviewSecrets, previewDatabaseInput, runFlyDeploy, stoppedSummary } from '@deploy-actions/deploy';
import { imageTag } from '@deploy-actions/fly/names';
import { parseDotenv } from '@deploy-actions/secrets-sync';
import { parseInputs, readRunContext, runStep, UserError } from '@deploy-actions/toolkit';
import { inputs, outputs } from './contract';

await runStep(outputs, async (out) => {
  const i = parseInputs(inputs);
  const allow = i['preview-secrets'] ?? [];
  const result = await runFlyDeploy(
    {
      app: i.app,
      config: i.config,
      configIsDefault: i.config === inputs.config.default,
      workingDirectory: i['working-directory'],
      image: i.image,
      imageLabel: i['image-label'],
      strategy: i.strategy,
      buildArgs: i['build-args'],
      buildSecrets: i['build-secrets'],
      env: i.env,
      regions: i.regions,
      ha: i.ha,
      waitTimeoutMs: i['wait-timeout'],
      deployRetries: i['deploy-retries'],
      remoteOnly: i['remote-only'],
      flyctlVersion: i['flyctl-version'],
      token: i['fly-api-token'],
      createApp: i['create-app'],
      org: i.org,
      ipv6: i.ipv6,
      preview: i.preview,
      destroy: i.destroy,
      timeoutMs: i.timeout,
      retries: i.retries,
      database: previewDatabaseInput({
        preview: i.preview,
        serverUrl: i['database-url'],
        postgresApp: i['postgres-app'],
        migrationsDir: i['migrations-dir'],
        migrationsSchema: i['migrations-schema'],
        migrationsTable: i['migrations-table'],
        seedFile: i['seed-file'],
      }),
      previewSecrets: allow.length
        ? allowedPreviewSecrets(allow, parseDotenv(i['app-secrets'] ?? '', "input 'app-secrets'").entries)
        : undefined,
    },
    readRunContext(),
    { onApp: (app) => out.set('app-name', app) },
  ).catch((error) => {
    // A run that stopped before or around the deploy gets this summary; a failed deploy wrote its own.
    stoppedSummary(out.get('app-name'), error).write();
    throw error;
  });

  const { outcome } = result;
  out.set('app-url', outcome?.appUrl);
  out.set('release-id', outcome?.release?.id);
  out.set('release-version', outcome?.release?.version);
  out.set('image-ref', outcome?.imageRef);
  out.set('image-digest', outcome?.imageDigest);
  out.set('image-label', outcome?.imageRef ? imageTag(outcome.imageRef) || undefined : undefined);
  out.set('previous-release-version', outcome?.previous?.version);
  out.set('previous-image-ref', outcome?.previous?.imageRef);
  out.set('convergence', outcome?.convergence);
  out.set(
    'machines',
    outcome
      ? JSON.stringify(
          outcome.fleet.map(({ id, group, region, state, release, current }) => ({
            id,
            group,
            region,
            state,
            release,
            current,
          })),
        )
      : undefined,
  );
  out.set('deployment-file', result.deploymentFile);
  out.set('duration-ms', result.durationMs);
  out.set('has-services', result.hasServices);
  out.set('ipv6-address', result.ipv6?.address);
  out.set('database-name', result.database?.name);
  out.set('database-created', result.database?.created);
  out.set('migrations-applied', result.database?.applied.join(','));
  result.summary.write();
  if (result.failure) throw new UserError(result.failure.message, { hint: result.failure.hint });
});
