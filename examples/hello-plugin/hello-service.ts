// A tiny service, example.hello.v1.HelloService/Greet, described without a .proto file or codegen: the
// FileDescriptorProto is built in code, then typed the way protoc-gen-es types what it generates.
import { create, createFileRegistry, type DescFile, type Message } from "@bufbuild/protobuf";
import { messageDesc, serviceDesc, type GenMessage, type GenService } from "@bufbuild/protobuf/codegenv2";
import { FieldDescriptorProto_Label, FieldDescriptorProto_Type, FileDescriptorProtoSchema } from "@bufbuild/protobuf/wkt";

const fileName = "example/hello/v1/hello.proto";
const stringField = (name: string) => ({ name, jsonName: name, number: 1, type: FieldDescriptorProto_Type.STRING, label: FieldDescriptorProto_Label.OPTIONAL });

const proto = create(FileDescriptorProtoSchema, {
  name: fileName,
  package: "example.hello.v1",
  syntax: "proto3",
  messageType: [
    { name: "GreetRequest", field: [stringField("name")] },
    { name: "GreetResponse", field: [stringField("greeting")] },
  ],
  service: [{ name: "HelloService", method: [{ name: "Greet", inputType: ".example.hello.v1.GreetRequest", outputType: ".example.hello.v1.GreetResponse" }] }],
});

function helloFile(): DescFile {
  const file = createFileRegistry(proto, () => undefined).getFile(fileName);
  if (!file) throw new Error(`${fileName} did not build`);
  return file;
}

export const file_example_hello_v1_hello: DescFile = helloFile();

export type GreetRequest = Message<"example.hello.v1.GreetRequest"> & { name: string };
export const GreetRequestSchema: GenMessage<GreetRequest> = messageDesc(file_example_hello_v1_hello, 0);

export type GreetResponse = Message<"example.hello.v1.GreetResponse"> & { greeting: string };
export const GreetResponseSchema: GenMessage<GreetResponse> = messageDesc(file_example_hello_v1_hello, 1);

export const HelloService: GenService<{
  greet: { methodKind: "unary"; input: typeof GreetRequestSchema; output: typeof GreetResponseSchema };
}> = serviceDesc(file_example_hello_v1_hello, 0);
