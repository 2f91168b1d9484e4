import { createReadStream } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Controller, Get, Header, Module, NotFoundException, Param, Res } from '@nestjs/common';
import type { INestApplication } from '@nestjs/common';
import { ApiExcludeController, DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { Public } from '@octave/platform/auth';
import type { FastifyReply } from 'fastify';
import { ErrorBody } from '../core/error-body.js';

export const DOCS_PATH = 'api/docs';
export const DOCS_JSON_PATH = '/api/docs-json';

/**
 * OpenAPI has no way to describe a socket protocol, so the realtime part of the API is
 * prose in the document's description (docs/realtime.md has the long form).
 */
const REALTIME_DESCRIPTION = `## Realtime (Socket.IO)

Connect to path \`/realtime\` with the access token in the handshake:
\`io(baseUrl, { path: "/realtime", auth: { token: accessToken } })\`. A missing or invalid
token is refused with \`connect_error\` (\`unauthorized\`). **When the access token expires,
the server disconnects the socket** (reason \`io server disconnect\`, which Socket.IO does
not retry): refresh the token, connect again and subscribe again.

Client → server, each with an acknowledgement callback (an event without one is ignored):

| event | payload | acknowledgement |
|---|---|---|
| \`stage:subscribe\` | \`{stageId}\` | \`{ok: true, stage, playback}\`; participants only |
| \`stage:unsubscribe\` | \`{stageId}\` | \`{ok: true}\` |
| \`chat:send\` | \`{stageId, message}\` | \`{ok: true, message: ChatMessage}\`; same rules as \`POST /api/stages/{id}/chat\` |

A failure is acknowledged as \`{ok: false, error}\`, where \`error\` is the error body the REST
route would answer (\`{statusCode, error, message}\`: 400 invalid payload, 403 not a
participant, 404 unknown or ended stage, 429 rate limited with \`retryAfterSeconds\`,
503/504 service unavailable or slow).

Server → client, to the subscribers of a stage on every gateway replica:
\`chat:message\` (ChatMessage), \`participant:joined\` / \`participant:left\` (\`{stageId, user}\`),
\`participant:kicked\` (\`{stageId, userId}\`), \`playback:state\` (\`{stageId, ...Playback}\`),
\`stage:updated\` (Stage), \`stage:ended\` (\`{stageId}\`). A user who is kicked or leaves gets
that event and then nothing more from the stage, on all their sockets; after \`stage:ended\`
every subscriber is unsubscribed. Events are not replayed: after a reconnect, read the
current state from the \`stage:subscribe\` acknowledgement or over REST.`;

/** Builds the OpenAPI 3 document and serves it at `/api/docs-json`. */
export function setupOpenApi(app: INestApplication): void {
  const config = new DocumentBuilder()
    .setTitle('Octave API')
    .setDescription(
      'Songs, playlists, friends and live stages. Errors always have the body ' +
        '`{statusCode, error, message}`; lists take `limit` and `cursor`.\n\n' +
        REALTIME_DESCRIPTION,
    )
    .setVersion('1')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' })
    .build();
  const document = SwaggerModule.createDocument(app, config, { extraModels: [ErrorBody] });
  // The UI is served by DocsController: SwaggerModule's own UI needs @fastify/static
  // on Fastify, which is not installed (and SwaggerModule exits the process without it).
  SwaggerModule.setup(DOCS_PATH, app, document, { ui: false, raw: ['json'] });
}

// swagger-ui-dist comes with @nestjs/swagger; resolve it from there so hoisting does not matter.
const requireFromSwagger = createRequire(createRequire(import.meta.url).resolve('@nestjs/swagger'));
const swaggerUiDir = path.dirname(requireFromSwagger.resolve('swagger-ui-dist/package.json'));

const ASSETS: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'application/javascript; charset=utf-8',
  'swagger-ui-standalone-preset.js': 'application/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
  'favicon-16x16.png': 'image/png',
};

const PAGE = `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Octave API</title>
  <link rel="stylesheet" href="/api/docs/swagger-ui.css">
  <link rel="icon" type="image/png" href="/api/docs/favicon-32x32.png" sizes="32x32">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="/api/docs/swagger-ui-bundle.js"></script>
  <script src="/api/docs/swagger-ui-standalone-preset.js"></script>
  <script src="/api/docs/init.js"></script>
</body>
</html>
`;

const INIT = `window.ui = SwaggerUIBundle({
  url: ${JSON.stringify(DOCS_JSON_PATH)},
  dom_id: '#swagger-ui',
  deepLinking: true,
  persistAuthorization: true,
  presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
  layout: 'StandaloneLayout',
});
`;

/** Swagger UI at `/api/docs`, from the swagger-ui-dist files. */
@ApiExcludeController()
@Public()
@Controller('docs')
export class DocsController {
  @Get()
  @Header('content-type', 'text/html; charset=utf-8')
  page(): string {
    return PAGE;
  }

  @Get('init.js')
  @Header('content-type', 'application/javascript; charset=utf-8')
  init(): string {
    return INIT;
  }

  @Get(':asset')
  asset(@Param('asset') asset: string, @Res() reply: FastifyReply): FastifyReply {
    const type = Object.hasOwn(ASSETS, asset) ? ASSETS[asset] : undefined;
    if (!type) throw new NotFoundException(`no such file: ${asset}`);
    return reply
      .header('content-type', type)
      .header('cache-control', 'public, max-age=86400')
      .send(createReadStream(path.join(swaggerUiDir, asset)));
  }
}

@Module({ controllers: [DocsController] })
export class DocsModule {}
