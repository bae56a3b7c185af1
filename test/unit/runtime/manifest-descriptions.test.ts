import { describe, expect, it } from 'vitest';
import { SERVICES } from '../../../functions/services.ts';

/**
 * What CloudFormation accepts in the Description of a Lambda function and of an IAM role (the stacks give
 * each function's role `{service}: {description}`): Latin-1 without control characters.
 */
const LAMBDA_DESCRIPTION = /^[\t\n\r\x20-\x7E\xA1-\xFF]*$/;
const LAMBDA_DESCRIPTION_MAX = 256;

describe('function descriptions', () => {
  const declared = SERVICES.flatMap((service) =>
    Object.entries(service.functions).map(([name, definition]) => ({
      id: `${service.name}.${name}`,
      description: definition.description,
      roleDescription: `${service.name}: ${definition.description}`,
    })),
  );

  it.each(declared)(
    '$id deploys: Latin-1 only (no typographic quotes) and at most 256 characters',
    ({ description }) => {
      expect(description).toMatch(LAMBDA_DESCRIPTION);
      expect(description.length).toBeLessThanOrEqual(LAMBDA_DESCRIPTION_MAX);
    },
  );
});
