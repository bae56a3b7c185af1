import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { metrics } from '../observability.ts';

/**
 * middy middleware: counts answers by status class (Http2xx, Http4xx, Http5xx) so each service's
 * dashboard and alarms see business rejections (409, 422) apart from faults.
 */
export function statusMetrics(): middy.MiddlewareObj<APIGatewayProxyEvent, APIGatewayProxyResult> {
  const count = async (request: middy.Request<APIGatewayProxyEvent, APIGatewayProxyResult>) => {
    const status = request.response?.statusCode ?? 500;
    metrics.addMetric(`Http${Math.floor(status / 100)}xx`, MetricUnit.Count, 1);
  };
  return { after: count, onError: count };
}
