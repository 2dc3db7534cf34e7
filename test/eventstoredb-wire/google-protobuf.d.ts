// The well-known types the generated messages take; google-protobuf ships no declarations of its own.
declare module 'google-protobuf/google/protobuf/empty_pb' {
  export class Empty {}
}
declare module 'google-protobuf/google/protobuf/any_pb' {
  export class Any {
    pack(serialized: Uint8Array, name: string, typeUrlPrefix?: string): void;
  }
}
