// The CDK stack, asserted on its synthesized CloudFormation. One bundled synth of the default app
// is shared by most tests; the variant synths skip esbuild bundling (nothing there depends on it).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { App, type CfnElement, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../cdk/build-app.js';
import { type CollectorStack, EMPTY_TOKEN } from '../cdk/collector-stack.js';
import { defaultWriteCapacity, readSettings, scheduleCron, timeoutSeconds } from '../cdk/settings.js';
import { parseSecret } from '../lambda/token.js';

const outdirs: string[] = [];
function tempOutdir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'startrail-cdk-'));
  outdirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of outdirs) fs.rmSync(dir, { recursive: true, force: true });
});

const NO_BUNDLING = { 'aws:cdk:bundling-stacks': [] as string[] };

type Resources = Record<string, { Type: string; Properties: Record<string, unknown> }>;

let app: App;
let stack: CollectorStack;
let template: Template;
let resources: Resources;
let outdir: string;

// Logical IDs by construct path under the stack (e.g. 'StarsTable'), checked against the resource type.
const logicalId = (type: string, constructPath: string): string => {
  const construct = stack.node.findChild(constructPath.split('/')[0]!);
  const cfn = constructPath
    .split('/')
    .slice(1)
    .reduce((c, part) => c.node.findChild(part), construct);
  const element = (cfn.node.defaultChild ?? cfn) as CfnElement;
  const id = stack.getLogicalId(element);
  expect(resources[id]?.Type, `${constructPath} is a ${type}`).toBe(type);
  return id;
};
const propsOf = (id: string): Record<string, unknown> => resources[id]!.Properties;

beforeAll(() => {
  outdir = tempOutdir();
  ({ app, stack } = buildApp({ outdir }));
  template = Template.fromStack(stack);
  resources = template.toJSON().Resources as Resources;
});

describe('settings from context', () => {
  it('defaults to language:go top 1000, every 15 minutes, on-demand, no email', () => {
    expect(readSettings(() => undefined)).toEqual({
      tracks: [{ query: 'language:go', top: 1000 }],
      scheduleRateMinutes: 15,
      billingMode: 'on-demand',
      writeCapacity: 10,
      readCapacity: 5,
    });
  });

  it('cdk.json documents exactly those defaults', () => {
    const context = JSON.parse(fs.readFileSync('cdk.json', 'utf8')).context as Record<string, unknown>;
    expect(readSettings((key) => context[key])).toEqual(readSettings(() => undefined));
    expect(JSON.parse(fs.readFileSync('cdk.json', 'utf8')).app).toBe('npx tsx cdk/app.ts');
  });

  it('reads command-line strings (-c key=value) in both track forms', () => {
    const settings = readSettings(
      (key) =>
        ({
          tracks: 'language:go=2500;language:rust=500',
          scheduleRate: '30',
          billingMode: 'PROVISIONED',
          writeCapacity: '40',
          alarmEmail: 'ops@example.com',
        })[key],
    );
    expect(settings).toEqual({
      tracks: [
        { query: 'language:go', top: 2500 },
        { query: 'language:rust', top: 500 },
      ],
      scheduleRateMinutes: 30,
      billingMode: 'provisioned',
      writeCapacity: 40,
      readCapacity: 5,
      alarmEmail: 'ops@example.com',
    });
  });

  it.each([
    ['tracks', '[{"query":"language:go","top":0}]', /context "tracks": TRACKS\[0\]\.top/],
    ['tracks', '[{"query":', /context "tracks"/],
    [
      'scheduleRate',
      '5',
      /context "scheduleRate": expected minutes, one of 15, 30, 60, 120, 180, 240, 360, 480, 720, 1440, got "5"/,
    ],
    ['scheduleRate', '45', /context "scheduleRate": expected minutes, one of 15, 30, 60, .*got "45"/],
    ['scheduleRate', '90', /context "scheduleRate".*got "90"/],
    ['reservedConcurrency', '0', /context "reservedConcurrency": expected a positive integer or "", got "0"/],
    ['reservedConcurrency', 'one', /context "reservedConcurrency".*"one"/],
    ['reservedConcurrency', '1.5', /context "reservedConcurrency".*"1.5"/],
    ['scheduleRate', 'often', /context "scheduleRate"/],
    ['billingMode', 'free', /context "billingMode": expected "on-demand" or "provisioned", got "free"/],
    ['writeCapacity', '-3', /context "writeCapacity"/],
    ['alarmEmail', 'nobody', /context "alarmEmail".*"nobody"/],
  ])('rejects %s=%s naming the key', (key, value, message) => {
    expect(() => readSettings((k) => (k === key ? value : undefined))).toThrow(message);
  });

  it('reads reservedConcurrency: absent or empty is none, a positive integer otherwise', () => {
    expect(readSettings(() => undefined)).not.toHaveProperty('reservedConcurrency');
    expect(readSettings((k) => (k === 'reservedConcurrency' ? '' : undefined))).not.toHaveProperty(
      'reservedConcurrency',
    );
    expect(readSettings((k) => (k === 'reservedConcurrency' ? '1' : undefined)).reservedConcurrency).toBe(1);
    expect(readSettings((k) => (k === 'reservedConcurrency' ? 3 : undefined)).reservedConcurrency).toBe(3);
  });

  it.each([
    [15, 'cron(0/15 * * * ? *)'],
    [30, 'cron(0/30 * * * ? *)'],
    [60, 'cron(0 * * * ? *)'],
    [120, 'cron(0 0/2 * * ? *)'],
    [180, 'cron(0 0/3 * * ? *)'],
    [720, 'cron(0 0/12 * * ? *)'],
    [1440, 'cron(0 0 * * ? *)'],
  ])('schedules every %i minutes on the clock, in UTC: %s', (minutes, expression) => {
    expect(scheduleCron(minutes)).toBe(expression);
  });

  it('sizes the timeout for top N: 60 s + 15 s per 1,000, capped at 900 s', () => {
    expect(timeoutSeconds(1000)).toBe(75);
    expect(timeoutSeconds(10_000)).toBe(210);
    expect(timeoutSeconds(100_000)).toBe(900);
    expect(defaultWriteCapacity(1000)).toBe(10);
    expect(defaultWriteCapacity(50)).toBe(1);
  });
});

describe('the default stack', () => {
  it('has exactly these resources', () => {
    const counts: Record<string, number> = {};
    for (const r of Object.values(resources)) counts[r.Type] = (counts[r.Type] ?? 0) + 1;
    expect(counts).toEqual({
      'AWS::DynamoDB::Table': 2,
      'AWS::SecretsManager::Secret': 1,
      'AWS::Logs::LogGroup': 1,
      'AWS::IAM::Role': 2,
      'AWS::IAM::Policy': 1,
      'AWS::Lambda::Function': 1,
      'AWS::Lambda::EventInvokeConfig': 1,
      'AWS::SQS::Queue': 1,
      'AWS::SQS::QueuePolicy': 1,
      'AWS::Scheduler::Schedule': 1,
      'AWS::KMS::Key': 1,
      'AWS::SNS::Topic': 1,
      'AWS::SNS::TopicPolicy': 1,
      'AWS::CloudWatch::Alarm': 4,
    });
  });

  it.each([
    ['StarsTable', 'repo', 'ts'],
    ['PollsTable', 'track', 'ts'],
  ])('%s: keys, on-demand, PITR, encrypted, retained', (name, hash, range) => {
    const id = logicalId('AWS::DynamoDB::Table', name);
    expect(resources[id]).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    expect(propsOf(id)).toEqual({
      KeySchema: [
        { AttributeName: hash, KeyType: 'HASH' },
        { AttributeName: range, KeyType: 'RANGE' },
      ],
      AttributeDefinitions: [
        { AttributeName: hash, AttributeType: 'S' },
        { AttributeName: range, AttributeType: 'N' },
      ],
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      SSESpecification: { SSEEnabled: true },
      DeletionProtectionEnabled: true,
    });
  });

  it('runs the collector on Node 24, ARM64, bundled ESM, no reserved concurrency, sized timeout', () => {
    const fn = logicalId('AWS::Lambda::Function', 'Collector');
    expect(propsOf(fn)).not.toHaveProperty('ReservedConcurrentExecutions');
    expect(propsOf(fn)).toMatchObject({
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      MemorySize: 512,
      Timeout: 75,
      LoggingConfig: { LogFormat: 'Text', LogGroup: { Ref: logicalId('AWS::Logs::LogGroup', 'CollectorLogs') } },
      Role: { 'Fn::GetAtt': [logicalId('AWS::IAM::Role', 'CollectorRole'), 'Arn'] },
    });
    expect((propsOf(fn).Environment as { Variables: unknown }).Variables).toEqual({
      STARS_TABLE: { Ref: logicalId('AWS::DynamoDB::Table', 'StarsTable') },
      POLLS_TABLE: { Ref: logicalId('AWS::DynamoDB::Table', 'PollsTable') },
      GITHUB_TOKEN_SECRET_ARN: { Ref: logicalId('AWS::SecretsManager::Secret', 'GithubToken') },
      TRACKS: '[{"query":"language:go","top":1000}]',
      NODE_OPTIONS: '--enable-source-maps',
    });
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: fn },
      Qualifier: '$LATEST',
      MaximumRetryAttempts: 2,
      MaximumEventAgeInSeconds: 900,
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
  });

  it('bundles the handler as minified ESM with a source map, a require shim, and no external modules', () => {
    const assetDir = fs
      .readdirSync(outdir)
      .map((name) => path.join(outdir, name))
      .find((dir) => fs.existsSync(path.join(dir, 'index.mjs')));
    expect(assetDir, `a bundled asset under ${outdir}`).toBeDefined();
    const bundle = fs.readFileSync(path.join(assetDir!, 'index.mjs'), 'utf8');
    expect(bundle.startsWith("import { createRequire as __startrailCreateRequire } from 'node:module';")).toBe(true);
    expect(fs.existsSync(path.join(assetDir!, 'index.mjs.map'))).toBe(true);
    expect(bundle).toMatch(/sourceMappingURL=index\.mjs\.map/);
    // The AWS SDK is bundled, not left for the runtime to provide.
    expect(bundle).not.toMatch(/from\s*["']@aws-sdk\/|import\(["']@aws-sdk\//);
    expect(bundle).toMatch(/export\s*\{[^}]*\bhandler\b/);
    // Loads as an ES module in a bare Node (CommonJS dependencies get their require) and exports
    // the handler; running it is the collector's tests' job.
    const probe = 'const m = await import(process.argv[1]); process.stdout.write(typeof m.handler);';
    const loaded = execFileSync(
      process.execPath,
      ['--input-type=module', '-e', probe, pathToFileURL(path.join(assetDir!, 'index.mjs')).href],
      {
        encoding: 'utf8',
        env: { PATH: process.env.PATH },
      },
    );
    expect(loaded).toBe('function');
  });

  it("grants the collector's role exactly its four statements, no wildcard, no managed policy", () => {
    const role = logicalId('AWS::IAM::Role', 'CollectorRole');
    const getArn = (id: string) => ({ 'Fn::GetAtt': [id, 'Arn'] });
    expect(propsOf(role)).toEqual({
      AssumeRolePolicyDocument: {
        Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' } }],
        Version: '2012-10-17',
      },
      Description: expect.any(String),
      Policies: [
        {
          PolicyName: 'collector',
          PolicyDocument: {
            Version: '2012-10-17',
            Statement: [
              {
                Sid: 'WriteStars',
                Effect: 'Allow',
                Action: 'dynamodb:BatchWriteItem',
                Resource: getArn(logicalId('AWS::DynamoDB::Table', 'StarsTable')),
              },
              {
                Sid: 'RecordPolls',
                Effect: 'Allow',
                Action: ['dynamodb:PutItem', 'dynamodb:GetItem'],
                Resource: getArn(logicalId('AWS::DynamoDB::Table', 'PollsTable')),
              },
              {
                Sid: 'ReadToken',
                Effect: 'Allow',
                Action: 'secretsmanager:GetSecretValue',
                Resource: { Ref: logicalId('AWS::SecretsManager::Secret', 'GithubToken') },
              },
              {
                Sid: 'WriteOwnLogs',
                Effect: 'Allow',
                Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
                Resource: getArn(logicalId('AWS::Logs::LogGroup', 'CollectorLogs')),
              },
            ],
          },
        },
      ],
    });
    // No separate policy attaches anything else to it.
    for (const r of Object.values(resources).filter((r) => r.Type === 'AWS::IAM::Policy')) {
      expect(r.Properties.Roles).not.toContainEqual({ Ref: role });
    }
    expect(JSON.stringify(propsOf(role))).not.toContain('*');
  });

  it('creates the token secret with no value in the template, in a form the collector reads as empty', () => {
    const secret = propsOf(logicalId('AWS::SecretsManager::Secret', 'GithubToken'));
    expect(secret.SecretString).toBe('{"token":""}');
    expect(JSON.parse(secret.SecretString as string)).toEqual({ token: '' });
    expect(secret).not.toHaveProperty('GenerateSecretString');
    expect(() => parseSecret(EMPTY_TOKEN, 'secret')).toThrow(/secret is empty/);
  });

  it('invokes the collector on the quarter hour (cron, UTC) with the scheduled time, a retry policy and a dead-letter queue', () => {
    const queue = logicalId('AWS::SQS::Queue', 'ScheduleDeadLetters');
    const schedule = propsOf(logicalId('AWS::Scheduler::Schedule', 'PollSchedule'));
    expect(schedule).toMatchObject({
      ScheduleExpression: 'cron(0/15 * * * ? *)',
      ScheduleExpressionTimezone: 'Etc/UTC',
      State: 'ENABLED',
      FlexibleTimeWindow: { Mode: 'OFF' },
      Target: {
        Arn: { 'Fn::GetAtt': [logicalId('AWS::Lambda::Function', 'Collector'), 'Arn'] },
        RetryPolicy: { MaximumRetryAttempts: 10, MaximumEventAgeInSeconds: 900 },
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': [queue, 'Arn'] } },
        RoleArn: { 'Fn::GetAtt': [logicalId('AWS::IAM::Role', 'ScheduleRole'), 'Arn'] },
      },
    });
    const input = JSON.parse((schedule.Target as { Input: string }).Input);
    expect(input).toMatchObject({ time: '<aws.scheduler.scheduled-time>', source: 'aws.scheduler' });
    expect(propsOf(queue)).toMatchObject({ SqsManagedSseEnabled: true, MessageRetentionPeriod: 14 * 24 * 3600 });
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
    // The schedule's role can invoke this function and feed this queue, nothing else.
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: logicalId('AWS::IAM::Role', 'ScheduleRole') }],
      PolicyDocument: {
        Statement: [
          {
            Action: 'lambda:InvokeFunction',
            Effect: 'Allow',
            Resource: [
              { 'Fn::GetAtt': [logicalId('AWS::Lambda::Function', 'Collector'), 'Arn'] },
              { 'Fn::Join': ['', [{ 'Fn::GetAtt': [logicalId('AWS::Lambda::Function', 'Collector'), 'Arn'] }, ':*']] },
            ],
          },
          { Action: 'sqs:SendMessage', Effect: 'Allow', Resource: { 'Fn::GetAtt': [queue, 'Arn'] } },
        ],
        Version: '2012-10-17',
      },
    });
  });

  it('alarms on errors, dropped events, dead letters and 45 minutes without a successful poll, to an encrypted SSL-only topic', () => {
    const topic = { Ref: logicalId('AWS::SNS::Topic', 'AlarmTopic') };
    const fn = { Ref: logicalId('AWS::Lambda::Function', 'Collector') };
    const common = { AlarmActions: [topic], OKActions: [topic], Threshold: 1 };
    expect(propsOf(logicalId('AWS::CloudWatch::Alarm', 'CollectorErrorsAlarm'))).toMatchObject({
      ...common,
      Namespace: 'AWS/Lambda',
      MetricName: 'Errors',
      Dimensions: [{ Name: 'FunctionName', Value: fn }],
      Statistic: 'Sum',
      Period: 900,
      EvaluationPeriods: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
    });
    expect(propsOf(logicalId('AWS::CloudWatch::Alarm', 'DroppedEventsAlarm'))).toMatchObject({
      ...common,
      Namespace: 'AWS/Lambda',
      MetricName: 'AsyncEventsDropped',
      Dimensions: [{ Name: 'FunctionName', Value: fn }],
      Statistic: 'Sum',
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
    expect(propsOf(logicalId('AWS::CloudWatch::Alarm', 'DeadLetterAlarm'))).toMatchObject({
      ...common,
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [
        {
          Name: 'QueueName',
          Value: { 'Fn::GetAtt': [logicalId('AWS::SQS::Queue', 'ScheduleDeadLetters'), 'QueueName'] },
        },
      ],
      Statistic: 'Maximum',
      Period: 300,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
    });
    const noPoll = propsOf(logicalId('AWS::CloudWatch::Alarm', 'NoSuccessfulPollAlarm'));
    expect(noPoll).toMatchObject({
      ...common,
      Namespace: 'Startrail',
      MetricName: 'PollSucceeded',
      Statistic: 'Sum',
      Period: 900,
      EvaluationPeriods: 3,
      DatapointsToAlarm: 3,
      ComparisonOperator: 'LessThanThreshold',
      TreatMissingData: 'breaching',
    });
    expect(noPoll).not.toHaveProperty('Dimensions');

    const key = logicalId('AWS::KMS::Key', 'AlarmTopicKey');
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: { 'Fn::GetAtt': [key, 'Arn'] } });
    template.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
          }),
        ]),
      },
    });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: [
          Match.objectLike({
            Effect: 'Deny',
            Action: 'sns:Publish',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
          Match.objectLike({
            Effect: 'Allow',
            Action: 'sns:Publish',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
          }),
        ],
      },
    });
    template.resourceCountIs('AWS::SNS::Subscription', 0);
  });

  it('outputs the table names, the secret ARN and the function name', () => {
    const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;
    expect(outputs.StarsTableName?.Value).toEqual({ Ref: logicalId('AWS::DynamoDB::Table', 'StarsTable') });
    expect(outputs.PollsTableName?.Value).toEqual({ Ref: logicalId('AWS::DynamoDB::Table', 'PollsTable') });
    expect(outputs.GithubTokenSecretArn?.Value).toEqual({
      Ref: logicalId('AWS::SecretsManager::Secret', 'GithubToken'),
    });
    expect(outputs.CollectorFunctionName?.Value).toEqual({ Ref: logicalId('AWS::Lambda::Function', 'Collector') });
  });
});

describe('cdk-nag AwsSolutionsChecks', () => {
  it('finds nothing unacknowledged in the app, and synth (which runs it as a validation plugin) succeeds', () => {
    const report = new AwsSolutionsChecks(app).validateScope(app);
    const findings = report.violations.map(
      (v) =>
        `${v.severity} ${v.ruleName}: ${v.violatingResources.map((r) => r.locations?.join(',') ?? r.resourceLogicalId).join(' ')}`,
    );
    expect(findings).toEqual([]);
    expect(report.success).toBe(true);
    expect(() => app.synth({ force: true })).not.toThrow();
    const validation = JSON.parse(fs.readFileSync(path.join(outdir, 'validation-report.json'), 'utf8'));
    expect(validation.pluginReports).toEqual([]);
  });

  it('does fail synth on an unacknowledged finding (control)', () => {
    const control = new App({ outdir: tempOutdir() });
    new sqs.Queue(new Stack(control, 'Control'), 'PlainQueue');
    Validations.of(control).addPlugins(new AwsSolutionsChecks(control));
    const report = new AwsSolutionsChecks(control).validateScope(control);
    expect(report.violations.map((v) => v.ruleName).sort()).toEqual(['AwsSolutions-SQS3', 'AwsSolutions-SQS4']);
    expect(() => control.synth()).toThrow(/AwsSolutions-SQS4/);
  });
});

describe('context variants', () => {
  it('provisioned billing, a 30-minute rate, top 2,500, reserved concurrency 1 and an alarm email', () => {
    const { stack: variant } = buildApp({
      outdir: tempOutdir(),
      context: {
        ...NO_BUNDLING,
        billingMode: 'provisioned',
        scheduleRate: '30',
        tracks: '[{"query":"language:go","top":2000},{"query":"language:rust","top":500}]',
        alarmEmail: 'ops@example.com',
        reservedConcurrency: '1',
      },
    });
    const t = Template.fromStack(variant);
    t.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: Match.arrayWith([{ AttributeName: 'repo', KeyType: 'HASH' }]),
      BillingMode: Match.absent(), // CloudFormation's default is PROVISIONED
      ProvisionedThroughput: { ReadCapacityUnits: 5, WriteCapacityUnits: 25 },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
    });
    t.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: Match.arrayWith([{ AttributeName: 'track', KeyType: 'HASH' }]),
      BillingMode: Match.absent(),
      ProvisionedThroughput: { ReadCapacityUnits: 1, WriteCapacityUnits: 1 },
    });
    t.hasResourceProperties('AWS::Lambda::Function', {
      Timeout: 60 + Math.ceil(15 * 2.5),
      ReservedConcurrentExecutions: 1,
      Environment: {
        Variables: Match.objectLike({
          TRACKS: '[{"query":"language:go","top":2000},{"query":"language:rust","top":500}]',
        }),
      },
    });
    t.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'cron(0/30 * * * ? *)',
      ScheduleExpressionTimezone: 'Etc/UTC',
      Target: Match.objectLike({ RetryPolicy: { MaximumRetryAttempts: 10, MaximumEventAgeInSeconds: 1800 } }),
    });
    t.hasResourceProperties('AWS::Lambda::EventInvokeConfig', { MaximumEventAgeInSeconds: 1800 });
    t.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'PollSucceeded',
      Period: 1800,
      EvaluationPeriods: 3,
      AlarmDescription: 'No poll succeeded in 90 minutes.',
    });
    t.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'ops@example.com' });
    expect(new AwsSolutionsChecks(variant).validateScope(variant).violations).toEqual([]);
  });

  it('on-demand tables carry no provisioned throughput', () => {
    for (const r of Object.values(resources).filter((r) => r.Type === 'AWS::DynamoDB::Table')) {
      expect(r.Properties).not.toHaveProperty('ProvisionedThroughput');
    }
  });
});
