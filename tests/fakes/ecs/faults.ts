/** An error the ECS fake answers as AWS JSON does: `{"__type": type, "message": …}` with an HTTP status. */
export class EcsFault extends Error {
  readonly type: string;
  readonly status: number;
  constructor(type: string, message: string, status = 400) {
    super(message);
    this.type = type;
    this.status = status;
  }
}

export const clientError = (message: string) => new EcsFault('ClientException', message);
export const invalidParameter = (message: string) => new EcsFault('InvalidParameterException', message);
