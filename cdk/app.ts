// `npx cdk synth|deploy` entry point (cdk.json: "app": "npx tsx cdk/app.ts").
import { buildApp } from './build-app.js';

try {
  buildApp().app.synth();
} catch (error) {
  // Bad context is an expected error: one line naming the key, no stack trace.
  if (error instanceof RangeError) {
    process.stderr.write(`startrail cdk: ${error.message}\n`);
    process.exit(1);
  }
  throw error;
}
