// OAuth2MetadataResponse's ten fields as plain data, camelCase as protobuf-es names them: what our own
// authorization server publishes and what an external one's document is read into.
import type { MessageShape } from "@bufbuild/protobuf";
import type { OAuth2MetadataResponseSchema } from "../gen/flyteidl/service/auth_pb";

export type OAuth2Metadata = Omit<MessageShape<typeof OAuth2MetadataResponseSchema>, "$typeName" | "$unknown">;
