// The AWS side of startrail: two DynamoDB tables, the collector Lambda, its schedule, its secret,
// and the alarms that say when polls stop. Every permission is spelled out: nothing is granted by
// a helper that might grant more than the collector uses.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CfnOutput,
  Duration,
  RemovalPolicy,
  SecretValue,
  Stack,
  type StackProps,
  TimeZone,
  Validations,
} from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as targets from 'aws-cdk-lib/aws-scheduler-targets';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { POLL_METRIC } from '../core/domain.js';
import { POLLS_KEY, STARS_KEY, type TableKey } from '../core/store/tables.js';
import { type StackSettings, scheduleCron, timeoutSeconds, totalTop } from './settings.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The token secret as created: the collector's `{"token": "..."}` form with no token in it. */
export const EMPTY_TOKEN = '{"token":""}';

/** Polls in a row without success before the alarm fires: 3 x 15 min = 45 minutes by default. */
export const MISSED_POLLS = 3;

/** How the collector is bundled: one minified ESM file with its whole dependency tree. */
const COLLECTOR_BUNDLING: nodejs.BundlingOptions = {
  format: nodejs.OutputFormat.ESM,
  target: 'node24',
  mainFields: ['module', 'main'],
  minify: true,
  sourceMap: true,
  // Bundled rather than taken from the runtime: the SDK version we test is the one that runs,
  // and a runtime SDK update cannot change behaviour under us.
  externalModules: [],
  // CommonJS dependencies call require(); ESM has none, so give them one.
  banner:
    "import { createRequire as __startrailCreateRequire } from 'node:module'; const require = __startrailCreateRequire(import.meta.url);",
  forceDockerBundling: false,
};

export interface CollectorStackProps extends StackProps {
  settings: StackSettings;
}

export class CollectorStack extends Stack {
  readonly starsTable: dynamodb.Table;
  readonly pollsTable: dynamodb.Table;
  readonly collector: nodejs.NodejsFunction;
  readonly tokenSecret: secretsmanager.Secret;
  readonly deadLetterQueue: sqs.Queue;
  readonly alarmTopic: sns.Topic;

  // Constructs are created in this order on purpose: it is the order of the synthesized template.
  constructor(scope: Construct, id: string, props: CollectorStackProps) {
    super(scope, id, props);
    const { settings } = props;
    const rate = Duration.minutes(settings.scheduleRateMinutes);

    this.starsTable = this.table('StarsTable', STARS_KEY, settings, settings.writeCapacity, settings.readCapacity);
    this.pollsTable = this.table('PollsTable', POLLS_KEY, settings, 1, 1);
    this.tokenSecret = this.githubTokenSecret();
    const logGroup = new logs.LogGroup(this, 'CollectorLogs', {
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.collector = this.collectorFunction(settings, rate, this.collectorRole(logGroup), logGroup);
    this.deadLetterQueue = this.scheduleDeadLetterQueue();
    const schedule = this.pollSchedule(settings, rate);
    this.alarmTopic = this.alarmTopicFor(settings);
    this.alarms(settings, rate, schedule, this.alarmTopic);
    this.outputs(logGroup);
  }

  // --- Storage and secret ---

  private table(id: string, key: TableKey, settings: StackSettings, write: number, read: number): dynamodb.Table {
    const provisioned = settings.billingMode === 'provisioned';
    return new dynamodb.Table(this, id, {
      partitionKey: { name: key.partition, type: dynamodb.AttributeType.STRING },
      sortKey: { name: key.sort, type: dynamodb.AttributeType.NUMBER },
      billingMode: provisioned ? dynamodb.BillingMode.PROVISIONED : dynamodb.BillingMode.PAY_PER_REQUEST,
      ...(provisioned ? { writeCapacity: write, readCapacity: read } : {}),
      // PITR also enables DynamoDB's native export to S3.
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      // The star history cannot be re-collected: it outlives the stack, and a stray delete fails.
      removalPolicy: RemovalPolicy.RETAIN,
      deletionProtection: true,
    });
  }

  private githubTokenSecret(): secretsmanager.Secret {
    const secret = new secretsmanager.Secret(this, 'GithubToken', {
      description: 'GitHub token for the startrail collector. Set it with `aws secretsmanager put-secret-value`.',
      // An empty token, not a secret: the collector reports "secret is empty" (and re-reads the
      // secret on the next run) until the real token is put with put-secret-value. CloudFormation
      // leaves a value put that way alone as long as this placeholder does not change.
      secretStringValue: SecretValue.unsafePlainText(EMPTY_TOKEN),
    });
    Validations.of(secret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'A GitHub personal access token cannot be rotated by a Lambda: GitHub issues it, a person renews it and puts the new value.',
    });
    return secret;
  }

  // --- The collector ---

  /** The collector's whole authority: write the two tables, read the one secret, write its own logs. */
  private collectorRole(logGroup: logs.LogGroup): iam.Role {
    return new iam.Role(this, 'CollectorRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'startrail collector: writes the stars and polls tables, reads the GitHub token',
      inlinePolicies: {
        collector: new iam.PolicyDocument({
          statements: [
            allow('WriteStars', ['dynamodb:BatchWriteItem'], this.starsTable.tableArn),
            // GetItem: a redelivered poll reads what an interrupted attempt was writing (lambda/slot-intent.ts).
            allow('RecordPolls', ['dynamodb:PutItem', 'dynamodb:GetItem'], this.pollsTable.tableArn),
            allow('ReadToken', ['secretsmanager:GetSecretValue'], this.tokenSecret.secretArn),
            allow('WriteOwnLogs', ['logs:CreateLogStream', 'logs:PutLogEvents'], logGroup.logGroupArn),
          ],
        }),
      },
    });
  }

  private collectorFunction(
    settings: StackSettings,
    rate: Duration,
    role: iam.Role,
    logGroup: logs.LogGroup,
  ): nodejs.NodejsFunction {
    return new nodejs.NodejsFunction(this, 'Collector', {
      description: 'startrail collector: polls GitHub search and records star counts',
      entry: path.join(ROOT, 'lambda', 'handler.ts'),
      handler: 'handler',
      projectRoot: ROOT,
      depsLockFilePath: path.join(ROOT, 'package-lock.json'),
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: 512,
      timeout: Duration.seconds(timeoutSeconds(totalTop(settings))),
      // Opt-in (-c reservedConcurrency=1): reserving fails CREATE on accounts whose concurrency
      // quota is 10 (at least 10 must stay unreserved). Without it an overlapping poll is harmless:
      // each poll writes only its own slot's keys.
      ...(settings.reservedConcurrency !== undefined
        ? { reservedConcurrentExecutions: settings.reservedConcurrency }
        : {}),
      role,
      logGroup,
      // TEXT keeps the collector's stdout lines verbatim, which is what Embedded Metric Format needs.
      loggingFormat: lambda.LoggingFormat.TEXT,
      // Lambda's own async retries: the handler throws when a track's poll did not complete, and a
      // retried event rewrites the same slot's keys. An event older than one period would record the
      // next slot's counts under this slot's key, so it is dropped (AsyncEventsDropped alarms).
      retryAttempts: 2,
      maxEventAge: clamp(rate, Duration.minutes(1), Duration.hours(6)),
      environment: {
        STARS_TABLE: this.starsTable.tableName,
        POLLS_TABLE: this.pollsTable.tableName,
        GITHUB_TOKEN_SECRET_ARN: this.tokenSecret.secretArn,
        TRACKS: JSON.stringify(settings.tracks),
        NODE_OPTIONS: '--enable-source-maps',
      },
      bundling: COLLECTOR_BUNDLING,
    });
  }

  // --- The schedule ---

  private scheduleDeadLetterQueue(): sqs.Queue {
    const queue = new sqs.Queue(this, 'ScheduleDeadLetters', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(queue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        'This queue is itself the dead-letter queue of the poll schedule; a dead-letter queue needs no dead-letter queue.',
    });
    return queue;
  }

  /**
   * Our own role, so its one finding can be acknowledged here: LambdaInvoke grants
   * lambda:InvokeFunction on the function and `<function>:*` (its versions), nothing else.
   */
  private scheduleRole(): iam.Role {
    const role = new iam.Role(this, 'ScheduleRole', {
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': this.account } },
      }),
      description: 'startrail schedule: invokes the collector, sends undeliverable events to the dead-letter queue',
    });
    const collectorLogicalId = this.getLogicalId(this.collector.node.defaultChild as lambda.CfnFunction);
    Validations.of(role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${collectorLogicalId}.Arn>:*]`,
      reason:
        "CDK's LambdaInvoke grants the function ARN plus `:*` (its versions and aliases); the wildcard never reaches beyond this one function.",
    });
    return role;
  }

  private pollSchedule(settings: StackSettings, rate: Duration): scheduler.Schedule {
    return new scheduler.Schedule(this, 'PollSchedule', {
      description: 'startrail: one poll per slot',
      // A cron on the clock, not rate(): rate() fires at deploy time + k * period, so a poll would
      // run up to one slot after the slot it is recorded under.
      schedule: scheduler.ScheduleExpression.expression(scheduleCron(settings.scheduleRateMinutes), TimeZone.ETC_UTC),
      target: new targets.LambdaInvoke(this.collector, {
        role: this.scheduleRole(),
        // The collector takes the slot from `time`: the scheduled time, identical on every retry.
        input: scheduler.ScheduleTargetInput.fromObject({
          source: 'aws.scheduler',
          'detail-type': 'Scheduled Event',
          id: scheduler.ContextAttribute.executionId,
          time: scheduler.ContextAttribute.scheduledTime,
          resources: [scheduler.ContextAttribute.scheduleArn],
          detail: { attemptNumber: scheduler.ContextAttribute.attemptNumber },
        }),
        // Scheduler retries only failed deliveries (the async Invoke itself); past one period the
        // event is stale, so it goes to the dead-letter queue instead.
        retryAttempts: 10,
        maxEventAge: clamp(rate, Duration.minutes(1), Duration.hours(24)),
        deadLetterQueue: this.deadLetterQueue,
      }),
    });
  }

  // --- Alarms ---

  /**
   * CloudWatch cannot publish to a topic encrypted with the AWS managed SNS key, so the topic
   * gets its own key whose policy lets CloudWatch use it.
   */
  private alarmTopicFor(settings: StackSettings): sns.Topic {
    const key = new kms.Key(this, 'AlarmTopicKey', {
      description: 'startrail alarm topic encryption',
      enableKeyRotation: true,
      pendingWindow: Duration.days(7),
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const cloudwatchPrincipal = new iam.ServicePrincipal('cloudwatch.amazonaws.com');
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchAlarmsPublish',
        principals: [cloudwatchPrincipal],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        // A key policy's resource is the key itself. No source condition here: the topic policy
        // below restricts publishing to this account's alarms, and a condition CloudWatch did not
        // send would silently stop every alarm notification.
        resources: ['*'],
      }),
    );
    const topic = new sns.Topic(this, 'AlarmTopic', {
      displayName: 'startrail alarms',
      masterKey: key,
      enforceSSL: true,
    });
    topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchAlarmsPublish',
        principals: [cloudwatchPrincipal],
        actions: ['sns:Publish'],
        resources: [topic.topicArn],
        conditions: { StringEquals: { 'aws:SourceAccount': this.account } },
      }),
    );
    if (settings.alarmEmail) topic.addSubscription(new subscriptions.EmailSubscription(settings.alarmEmail));
    return topic;
  }

  /** Four alarms, each notifying the topic when it fires and when it clears. */
  private alarms(settings: StackSettings, rate: Duration, schedule: scheduler.Schedule, topic: sns.Topic): void {
    const action = new cloudwatchActions.SnsAction(topic);
    const alarms = [
      this.failureAlarm(
        'CollectorErrorsAlarm',
        'The collector failed: a track did not complete, or the function crashed or timed out.',
        this.collector.metricErrors({ period: rate, statistic: cloudwatch.Stats.SUM }),
      ),
      this.failureAlarm(
        'DroppedEventsAlarm',
        'Lambda dropped a poll event after its retries or its maximum age: that slot has no poll.',
        new cloudwatch.Metric({
          namespace: 'AWS/Lambda',
          metricName: 'AsyncEventsDropped',
          dimensionsMap: { FunctionName: this.collector.functionName },
          period: rate,
          statistic: cloudwatch.Stats.SUM,
        }),
      ),
      this.failureAlarm(
        'DeadLetterAlarm',
        `The schedule ${schedule.scheduleName} could not deliver a poll event: see the dead-letter queue.`,
        this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
          period: Duration.minutes(5),
          statistic: cloudwatch.Stats.MAXIMUM,
        }),
      ),
      new cloudwatch.Alarm(this, 'NoSuccessfulPollAlarm', {
        alarmDescription: `No poll succeeded in ${MISSED_POLLS * settings.scheduleRateMinutes} minutes.`,
        metric: new cloudwatch.Metric({ ...POLL_METRIC, period: rate, statistic: cloudwatch.Stats.SUM }),
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
        evaluationPeriods: MISSED_POLLS,
        datapointsToAlarm: MISSED_POLLS,
        // No metric at all is exactly the failure this alarm exists for.
        treatMissingData: cloudwatch.TreatMissingData.BREACHING,
      }),
    ];
    for (const alarm of alarms) {
      alarm.addAlarmAction(action);
      alarm.addOkAction(action);
    }
  }

  /** An alarm on a count of failures: one in a period fires it, and no data means none happened. */
  private failureAlarm(id: string, description: string, metric: cloudwatch.IMetric): cloudwatch.Alarm {
    return new cloudwatch.Alarm(this, id, {
      alarmDescription: description,
      metric,
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
  }

  private outputs(logGroup: logs.LogGroup): void {
    const output = (id: string, value: string, description: string) => new CfnOutput(this, id, { value, description });
    output('StarsTableName', this.starsTable.tableName, 'STARS_TABLE for npm run export');
    output('PollsTableName', this.pollsTable.tableName, 'POLLS_TABLE');
    output('GithubTokenSecretArn', this.tokenSecret.secretArn, 'put the GitHub token here');
    output('CollectorFunctionName', this.collector.functionName, 'the collector Lambda');
    output('CollectorLogGroupName', logGroup.logGroupName, 'the collector logs');
    output('AlarmTopicArn', this.alarmTopic.topicArn, 'alarm notifications');
  }
}

/** One statement of the collector's policy: these actions on this one resource. */
function allow(sid: string, actions: string[], resource: string): iam.PolicyStatement {
  return new iam.PolicyStatement({ sid, actions, resources: [resource] });
}

function clamp(value: Duration, min: Duration, max: Duration): Duration {
  const seconds = Math.min(max.toSeconds(), Math.max(min.toSeconds(), value.toSeconds()));
  return Duration.seconds(seconds);
}
