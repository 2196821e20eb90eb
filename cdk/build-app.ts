// Builds the CDK app from context: shared by `npx cdk` (cdk/app.ts) and the tests.
import { App, type AppProps, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { CollectorStack } from './collector-stack.js';
import { readSettings } from './settings.js';

export const STACK_NAME = 'Startrail';

export function buildApp(props: AppProps = {}): { app: App; stack: CollectorStack } {
  const app = new App(props);
  const settings = readSettings((key) => app.node.tryGetContext(key));
  // No account or region: the template is environment-agnostic, so synth needs no credentials.
  const stack = new CollectorStack(app, STACK_NAME, {
    settings,
    description: 'startrail: GitHub star history collector (tables, Lambda, schedule, alarms)',
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, stack };
}
