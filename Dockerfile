# The cmunext CLI with the default model inside: `cmunext batch` over a DICOMweb PACS, one process per shard.
#   docker build -t ohif-cmunext-batch .
#   docker run --rm ohif-cmunext-batch batch --pacs http://pacs:8042/dicom-web --days 2
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
RUN npm ci
COPY tsconfig.json tsconfig.build.json ./
COPY types ./types
COPY extension ./extension
COPY cli ./cli
COPY scripts ./scripts
RUN npx tsc -p tsconfig.build.json && npm prune --omit=dev

FROM node:20-bookworm-slim
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist-node ./dist-node
COPY bin ./bin
# The CLI finds its default model by extension/package.json, beside models/.
COPY extension/package.json ./extension/package.json
COPY models/cmunext-busi ./models/cmunext-busi
USER node
ENTRYPOINT ["node", "bin/cmunext.js"]
CMD ["--help"]
