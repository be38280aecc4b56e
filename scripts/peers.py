"""The other decoders badgegate is compared with, as functions from a PIL
image to the texts read: ZXing-C++ (`pip install zxing-cpp`) and zbar
(`pip install pyzbar`, with libzbar0 from zbar-tools). Shared by
compare-decoders.py and compare-sequences.py.
"""


def zxing_reader():
    import zxingcpp

    def read(img):
        return [r.text for r in zxingcpp.read_barcodes(img, formats=zxingcpp.BarcodeFormat.QRCode)]

    return read


def zbar_reader():
    from pyzbar import pyzbar

    def read(img):
        return [s.data.decode("utf-8", "replace") for s in pyzbar.decode(img, symbols=[pyzbar.ZBarSymbol.QRCODE])]

    return read
