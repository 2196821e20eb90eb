// `npx cdk synth` as a user runs it (cdk.json at the root), with no AWS credentials or config and
// the CLI's network features off: the template must come out as valid JSON with the stack in it.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'startrail-cdk-cli-'));
afterAll(() => fs.rmSync(outdir, { recursive: true, force: true }));

function offlineEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!/^AWS_|^CDK_DEFAULT_/.test(key)) env[key] = value;
  }
  return {
    ...env,
    AWS_CONFIG_FILE: path.join(outdir, 'no-aws-config'),
    AWS_SHARED_CREDENTIALS_FILE: path.join(outdir, 'no-aws-credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
    CDK_DISABLE_VERSION_CHECK: 'true',
    CDK_DISABLE_CLI_TELEMETRY: 'true',
  };
}

describe('npx cdk synth', () => {
  it('runs offline without credentials and writes a valid template with the expected resources', () => {
    const result = spawnSync('npx', ['cdk', 'synth', '--quiet', '--no-notices', '-o', outdir], {
      cwd: path.resolve(import.meta.dirname, '..'),
      env: offlineEnv(),
      encoding: 'utf8',
      timeout: 180_000,
    });
    expect(result.status, `cdk synth failed:\n${result.stdout}\n${result.stderr}`).toBe(0);
    expect(result.stderr).not.toMatch(/AwsSolutions-/);

    const template = JSON.parse(fs.readFileSync(path.join(outdir, 'Startrail.template.json'), 'utf8')) as {
      Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }>;
      Outputs: Record<string, unknown>;
    };
    const types = Object.values(template.Resources).map((r) => r.Type);
    for (const type of [
      'AWS::DynamoDB::Table',
      'AWS::Lambda::Function',
      'AWS::Lambda::EventInvokeConfig',
      'AWS::Scheduler::Schedule',
      'AWS::SQS::Queue',
      'AWS::SecretsManager::Secret',
      'AWS::SNS::Topic',
      'AWS::CloudWatch::Alarm',
      'AWS::Logs::LogGroup',
    ]) {
      expect(types, type).toContain(type);
    }
    expect(types.filter((t) => t === 'AWS::DynamoDB::Table')).toHaveLength(2);
    expect(types.filter((t) => t === 'AWS::CloudWatch::Alarm')).toHaveLength(4);
    expect(Object.keys(template.Outputs)).toEqual(
      expect.arrayContaining(['StarsTableName', 'PollsTableName', 'GithubTokenSecretArn', 'CollectorFunctionName']),
    );
    // cdk.json's context reached the app.
    const fn = Object.values(template.Resources).find((r) => r.Type === 'AWS::Lambda::Function')!;
    expect((fn.Properties!.Environment as { Variables: Record<string, unknown> }).Variables.TRACKS).toBe(
      '[{"query":"language:go","top":1000}]',
    );

    // Environment-agnostic: no account or region was looked up.
    const manifest = JSON.parse(fs.readFileSync(path.join(outdir, 'manifest.json'), 'utf8'));
    expect(manifest.artifacts.Startrail.environment).toBe('aws://unknown-account/unknown-region');
    const report = JSON.parse(fs.readFileSync(path.join(outdir, 'validation-report.json'), 'utf8'));
    expect(report.pluginReports).toEqual([]);
  }, 200_000); // npx, tsx and esbuild in a child process: slow on a shared 2-core machine

  it('turns bad context into a one-line error naming the key', () => {
    const result = spawnSync(
      'npx',
      ['cdk', 'synth', '--quiet', '--no-notices', '-o', path.join(outdir, 'bad'), '-c', 'scheduleRate=7'],
      {
        cwd: path.resolve(import.meta.dirname, '..'),
        env: offlineEnv(),
        encoding: 'utf8',
        timeout: 120_000,
      },
    );
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(/startrail cdk: context "scheduleRate": expected minutes, one of 15, 30, 60, .*"7"/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  }, 150_000);
});
