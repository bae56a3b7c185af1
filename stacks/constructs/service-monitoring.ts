import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { METRICS_NAMESPACE, type MetricAlarmDefinition } from '#lib/platform/manifest.ts';
import type { VitrineFunction } from './vitrine-function.ts';

/** CloudWatch caps the metrics of one alarm's math expression at ten. */
const MAX_METRICS_PER_ALARM = 10;

export interface MonitoredFunction {
  readonly id: string;
  readonly fn: VitrineFunction;
  /** Reads a stream: its iterator age shows how far behind the relay or projection is. */
  readonly readsStream: boolean;
  /** Alarms on the custom metrics it emits. @default - none */
  readonly metricAlarms?: readonly MetricAlarmDefinition[];
}

export interface MonitoredRoute {
  readonly method: string;
  readonly path: string;
}

export interface ServiceMonitoringProps {
  readonly service: string;
  readonly functions: readonly MonitoredFunction[];
  /** Dead-letter queues of the service's subscriptions, streams and schedules. */
  readonly deadLetterQueues: ReadonlyMap<string, sqs.IQueue>;
  /** The service's routes, for its share of the API's 5xx answers. @default - none */
  readonly routes?: readonly MonitoredRoute[];
  /** API name and stage whose per-method metrics the routes' alarm reads. */
  readonly api?: { readonly name: string; readonly stage: string };
  readonly alarmTopic: sns.ITopic;
}

/**
 * One service's dashboard and alarms: any message in a dead-letter queue, function errors, streams
 * falling behind, 5xx answers on the service's routes, and the custom metrics its functions declare
 * alarms on. Every alarm notifies the regional topic.
 */
export class ServiceMonitoring extends Construct {
  readonly dashboard: cloudwatch.Dashboard;
  readonly alarms: cloudwatch.Alarm[] = [];

  constructor(scope: Construct, id: string, props: ServiceMonitoringProps) {
    super(scope, id);
    const action = new actions.SnsAction(props.alarmTopic);
    const alarm = (
      alarmId: string,
      options: cloudwatch.CreateAlarmOptions & { metric: cloudwatch.Metric | cloudwatch.MathExpression },
    ) => {
      const created = options.metric.createAlarm(this, alarmId, {
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        ...options,
      });
      created.addAlarmAction(action);
      created.addOkAction(action);
      this.alarms.push(created);
      return created;
    };

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      defaultInterval: Duration.hours(3),
    });
    this.dashboard.addWidgets(
      new cloudwatch.TextWidget({ markdown: `# ${props.service}`, width: 24, height: 1 }),
    );

    for (const { id: fnId, fn, readsStream, metricAlarms = [] } of props.functions) {
      const errors = fn.function.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' });
      alarm(`${fnId}Errors`, {
        metric: errors,
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        alarmDescription: `${props.service}: ${fnId} reported errors`,
      });
      const widgets: cloudwatch.IWidget[] = [
        new cloudwatch.GraphWidget({
          title: `${fnId} invocations and errors`,
          left: [fn.function.metricInvocations(), errors, fn.function.metricThrottles()],
          width: 8,
        }),
        new cloudwatch.GraphWidget({
          title: `${fnId} duration`,
          left: [
            fn.function.metricDuration({ statistic: 'p50' }),
            fn.function.metricDuration({ statistic: 'p99' }),
          ],
          width: 8,
        }),
      ];
      if (readsStream) {
        const iteratorAge = fn.function.metric('IteratorAge', {
          statistic: 'Maximum',
          period: Duration.minutes(1),
        });
        alarm(`${fnId}IteratorAge`, {
          metric: iteratorAge,
          threshold: Duration.minutes(1).toMilliseconds(),
          evaluationPeriods: 5,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
          alarmDescription: `${props.service}: ${fnId} is more than a minute behind its stream`,
        });
        widgets.push(
          new cloudwatch.GraphWidget({ title: `${fnId} iterator age`, left: [iteratorAge], width: 8 }),
        );
      }
      for (const declared of metricAlarms) {
        const period = Duration.minutes(declared.periodMinutes ?? 5);
        // Powertools names the service dimension `service` and fills it from POWERTOOLS_SERVICE_NAME.
        const metric = new cloudwatch.Metric({
          namespace: METRICS_NAMESPACE,
          metricName: declared.metric,
          dimensionsMap: { service: props.service },
          statistic: 'Sum',
          period,
        });
        alarm(`${fnId}${declared.metric}`, {
          metric,
          threshold: declared.threshold ?? 1,
          evaluationPeriods: 1,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          alarmDescription: `${props.service}: ${declared.description}`,
        });
        widgets.push(new cloudwatch.GraphWidget({ title: declared.metric, left: [metric], width: 8 }));
      }
      this.dashboard.addWidgets(...widgets);
    }

    for (const [queueId, queue] of props.deadLetterQueues) {
      const depth = queue.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(1),
        statistic: 'Maximum',
      });
      alarm(`${queueId}Depth`, {
        metric: depth,
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        alarmDescription: `${props.service}: messages are waiting in the dead-letter queue ${queueId}`,
      });
      this.dashboard.addWidgets(
        new cloudwatch.GraphWidget({ title: `${queueId} depth`, left: [depth], width: 8 }),
      );
    }

    const routes = props.routes ?? [];
    if (props.api && routes.length > 0) {
      const { name, stage } = props.api;
      for (let start = 0, part = 1; start < routes.length; start += MAX_METRICS_PER_ALARM, part++) {
        const chunk = routes.slice(start, start + MAX_METRICS_PER_ALARM);
        const usingMetrics = Object.fromEntries(
          chunk.map((route, i) => [
            `m${i}`,
            new cloudwatch.Metric({
              namespace: 'AWS/ApiGateway',
              metricName: '5XXError',
              dimensionsMap: { ApiName: name, Stage: stage, Method: route.method, Resource: route.path },
              statistic: 'Sum',
              period: Duration.minutes(5),
            }),
          ]),
        );
        const serverErrors = new cloudwatch.MathExpression({
          expression: `SUM([${Object.keys(usingMetrics).join(', ')}])`,
          usingMetrics,
          label: `${props.service} 5xx`,
          period: Duration.minutes(5),
        });
        alarm(`Api5xx${part}`, {
          metric: serverErrors,
          threshold: 5,
          evaluationPeriods: 1,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          alarmDescription: `${props.service}: its routes answered 5xx`,
        });
        this.dashboard.addWidgets(
          new cloudwatch.GraphWidget({
            title: `${props.service} API 5xx (${part})`,
            left: [serverErrors],
            width: 8,
          }),
        );
      }
    }
  }
}
