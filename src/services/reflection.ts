// gRPC server reflection (grpc.reflection.v1 and v1alpha) so grpcurl, `buf curl --reflect` and similar tools can
// discover the served services without local .proto files. Descriptors come from the generated code's embedded
// DescFile objects; every answer carries the requested file plus its transitive imports, because reflection
// clients build a full descriptor pool from them.
import { create, fromBinary, toBinary, type DescEnum, type DescExtension, type DescFile, type DescMessage, type DescService } from "@bufbuild/protobuf";
import type { ServiceImpl } from "@connectrpc/connect";
import { Code } from "@connectrpc/connect";
import {
  FileDescriptorProtoSchema,
  file_google_protobuf_any,
  file_google_protobuf_descriptor,
  file_google_protobuf_duration,
  file_google_protobuf_empty,
  file_google_protobuf_field_mask,
  file_google_protobuf_struct,
  file_google_protobuf_timestamp,
  file_google_protobuf_wrappers,
} from "@bufbuild/protobuf/wkt";
import { Health } from "../gen/grpc/health/v1/health_pb";
import * as v1 from "../gen/grpc/reflection/v1/reflection_pb";
import * as v1alpha from "../gen/grpc/reflection/v1alpha/reflection_pb";

/** The two reflection services, for registering on a router. */
export const ServerReflectionV1 = v1.ServerReflection;
export const ServerReflectionV1Alpha = v1alpha.ServerReflection;

export interface ReflectionServices {
  v1: ServiceImpl<typeof v1.ServerReflection>;
  v1alpha: ServiceImpl<typeof v1alpha.ServerReflection>;
}

/** Well-known files a client may ask for by name even when no served file imports them. */
const wellKnownFiles: DescFile[] = [
  file_google_protobuf_any,
  file_google_protobuf_descriptor,
  file_google_protobuf_duration,
  file_google_protobuf_empty,
  file_google_protobuf_field_mask,
  file_google_protobuf_struct,
  file_google_protobuf_timestamp,
  file_google_protobuf_wrappers,
];

interface ReflectionIndex {
  services: string[];
  /** By proto file name, e.g. "flyteidl/service/admin.proto". */
  files: Map<string, DescFile>;
  /** Fully qualified symbol (no leading dot) → declaring file. */
  symbols: Map<string, DescFile>;
  /** Message type names, to tell "no extensions" from "no such type". */
  messages: Set<string>;
  /** Extendee type name → extension number → declaring file. */
  extensions: Map<string, Map<number, DescFile>>;
  /** Serialized FileDescriptorProtos, encoded on first use. */
  encoded: Map<string, Uint8Array>;
}

// NOT_FOUND / INVALID_ARGUMENT as gRPC status numbers (Connect's Code enum uses the same values).
const NOT_FOUND = Code.NotFound;
const INVALID_ARGUMENT = Code.InvalidArgument;

export function reflectionServices(services: DescService[]): ReflectionServices {
  const index = buildIndex(services);
  const v1Impl: ServiceImpl<typeof v1.ServerReflection> = {
    async *serverReflectionInfo(requests) {
      for await (const req of requests) yield answer(index, req);
    },
  };
  // v1alpha is wire-identical to v1: transcode through the binary form and reuse the v1 logic.
  const v1alphaImpl: ServiceImpl<typeof v1alpha.ServerReflection> = {
    async *serverReflectionInfo(requests) {
      for await (const req of requests) {
        const asV1 = fromBinary(v1.ServerReflectionRequestSchema, toBinary(v1alpha.ServerReflectionRequestSchema, req));
        const res = answer(index, asV1);
        yield fromBinary(v1alpha.ServerReflectionResponseSchema, toBinary(v1.ServerReflectionResponseSchema, res));
      }
    },
  };
  return { v1: v1Impl, v1alpha: v1alphaImpl };
}

// ---------------------------------------------------------------------------------------------------------------
// Index

function buildIndex(services: DescService[]): ReflectionIndex {
  const listed = [...services, Health, v1.ServerReflection, v1alpha.ServerReflection];
  const index: ReflectionIndex = {
    services: [...new Set(listed.map((s) => s.typeName))],
    files: new Map(),
    symbols: new Map(),
    messages: new Set(),
    extensions: new Map(),
    encoded: new Map(),
  };
  for (const root of [...listed.map((s) => s.file), ...wellKnownFiles]) {
    for (const file of closure(root)) addFile(index, file);
  }
  return index;
}

/** The file followed by its transitive imports, each once, requested file first. */
function closure(root: DescFile): DescFile[] {
  const seen = new Set<DescFile>();
  const visit = (f: DescFile) => {
    if (seen.has(f)) return;
    seen.add(f);
    f.dependencies.forEach(visit);
  };
  visit(root);
  return [...seen];
}

function addFile(index: ReflectionIndex, file: DescFile): void {
  if (index.files.has(file.proto.name)) return;
  index.files.set(file.proto.name, file);
  const add = (name: string) => {
    if (!index.symbols.has(name)) index.symbols.set(name, file);
  };
  for (const s of file.services) {
    add(s.typeName);
    for (const m of s.methods) add(`${s.typeName}.${m.name}`);
  }
  for (const m of file.messages) addMessage(index, m, add);
  for (const e of file.enums) addEnum(e, scopeOf(file.proto.package), add);
  for (const x of file.extensions) addExtension(index, x, add);
}

function addMessage(index: ReflectionIndex, msg: DescMessage, add: (name: string) => void): void {
  add(msg.typeName);
  index.messages.add(msg.typeName);
  for (const f of msg.fields) add(`${msg.typeName}.${f.name}`);
  for (const o of msg.oneofs) add(`${msg.typeName}.${o.name}`);
  for (const n of msg.nestedMessages) addMessage(index, n, add);
  for (const e of msg.nestedEnums) addEnum(e, `${msg.typeName}.`, add);
  for (const x of msg.nestedExtensions) addExtension(index, x, add);
}

/** Enum values live in the enum's enclosing scope (C++ scoping rules), not inside the enum. */
function addEnum(e: DescEnum, scope: string, add: (name: string) => void): void {
  add(e.typeName);
  for (const v of e.values) add(`${scope}${v.name}`);
}

function addExtension(index: ReflectionIndex, x: DescExtension, add: (name: string) => void): void {
  add(x.typeName);
  let byNumber = index.extensions.get(x.extendee.typeName);
  if (!byNumber) index.extensions.set(x.extendee.typeName, (byNumber = new Map()));
  if (!byNumber.has(x.number)) byNumber.set(x.number, x.file);
}

const scopeOf = (pkg: string) => (pkg === "" ? "" : `${pkg}.`);

// ---------------------------------------------------------------------------------------------------------------
// Answers

type Reply = v1.ServerReflectionResponse["messageResponse"];

function answer(index: ReflectionIndex, req: v1.ServerReflectionRequest): v1.ServerReflectionResponse {
  return create(v1.ServerReflectionResponseSchema, {
    validHost: req.host,
    originalRequest: req,
    messageResponse: reply(index, req.messageRequest),
  });
}

function reply(index: ReflectionIndex, mr: v1.ServerReflectionRequest["messageRequest"]): Reply {
  switch (mr.case) {
    case "listServices":
      return listServices(index);
    case "fileByFilename":
      return fileReply(index, index.files.get(mr.value), `file not found: ${mr.value}`);
    case "fileContainingSymbol":
      return fileReply(index, index.symbols.get(stripDot(mr.value)), `symbol not found: ${mr.value}`);
    case "fileContainingExtension": {
      const { containingType, extensionNumber } = mr.value;
      const file = index.extensions.get(stripDot(containingType))?.get(extensionNumber);
      return fileReply(index, file, `extension not found: ${containingType}(${extensionNumber})`);
    }
    case "allExtensionNumbersOfType":
      return extensionNumbers(index, stripDot(mr.value));
    default:
      return errorReply(INVALID_ARGUMENT, "empty reflection request");
  }
}

function listServices(index: ReflectionIndex): Reply {
  const service = index.services.map((name) => create(v1.ServiceResponseSchema, { name }));
  return { case: "listServicesResponse", value: create(v1.ListServiceResponseSchema, { service }) };
}

function fileReply(index: ReflectionIndex, file: DescFile | undefined, notFound: string): Reply {
  if (!file) return errorReply(NOT_FOUND, notFound);
  const fileDescriptorProto = closure(file).map((f) => encodeFile(index, f));
  return { case: "fileDescriptorResponse", value: create(v1.FileDescriptorResponseSchema, { fileDescriptorProto }) };
}

function extensionNumbers(index: ReflectionIndex, typeName: string): Reply {
  // A known message without extensions answers an empty list; only unknown types are NOT_FOUND.
  if (!index.messages.has(typeName)) return errorReply(NOT_FOUND, `type not found: ${typeName}`);
  const extensionNumber = [...(index.extensions.get(typeName)?.keys() ?? [])].sort((a, b) => a - b);
  return {
    case: "allExtensionNumbersResponse",
    value: create(v1.ExtensionNumberResponseSchema, { baseTypeName: typeName, extensionNumber }),
  };
}

function encodeFile(index: ReflectionIndex, file: DescFile): Uint8Array {
  let bytes = index.encoded.get(file.proto.name);
  if (!bytes) index.encoded.set(file.proto.name, (bytes = toBinary(FileDescriptorProtoSchema, file.proto)));
  return bytes;
}

function errorReply(errorCode: number, errorMessage: string): Reply {
  return { case: "errorResponse", value: create(v1.ErrorResponseSchema, { errorCode, errorMessage }) };
}

const stripDot = (name: string) => (name.startsWith(".") ? name.slice(1) : name);
